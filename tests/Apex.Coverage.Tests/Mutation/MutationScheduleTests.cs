using Apex.Coverage.Tests.Fixtures;
using Apex.Coverage.Tests.Runs;
using Apex.Coverage.Web.Mutation;
using Hangfire;
using Hangfire.Storage;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Apex.Coverage.Tests.Mutation;

/// <summary>
/// The scheduled mutation run (issue 23, point 4): the repository's appsettings.json builds the suite
/// for Stryker's mtp runner (docs/adr/0250), a host with a Mutation:Cron registers the Hangfire
/// recurring job, and without one there is none. The repository keeps Mutation:Cron null until a
/// mutation run of the real suite ends within its budget on this machine (issue note, session 6).
/// </summary>
public sealed class MutationScheduleTests
{
    private const string Nightly = "0 3 * * *";

    private static MutationOptions RepositoryOptions() =>
        new ConfigurationBuilder().AddJsonFile(Path.Combine(FixtureSuiteBuild.RepoRoot, "appsettings.json")).Build()
            .GetSection(MutationOptions.SectionName).Get<MutationOptions>()!;

    private static RecurringJobDto? MutationJob(WebApplicationFactory<Program> host) =>
        host.Services.GetRequiredService<JobStorage>().GetConnection().GetRecurringJobs().SingleOrDefault(j => j.Id == MutationScheduleJob.JobId);

    [Fact]
    public async Task Startup_RegistersTheNightlyMutationJob_WhenMutationCronIsSet()
    {
        await using var factory = new PlanHostFactory();
        await using var host = factory.WithWebHostBuilder(b => b.UseSetting("Mutation:Cron", Nightly));
        _ = host.Server;

        var job = MutationJob(host);

        Assert.NotNull(job);
        Assert.Equal((Nightly, nameof(MutationScheduleJob.QueueAsync)), (job.Cron, job.Job.Method.Name));
        Assert.InRange(job.NextExecution!.Value, DateTime.UtcNow, DateTime.UtcNow.AddDays(1));
    }

    [Fact]
    public void RepositoryConfiguration_BuildsTheSuiteForStrykersMtpRunner()
    {
        var configured = RepositoryOptions();

        Assert.Equal(("mtp", "true"), (configured.TestRunner, configured.Environment.GetValueOrDefault("ApexMutation")));
    }

    [Fact]
    public async Task Startup_RegistersNoMutationJob_WhenNoCronIsConfigured()
    {
        await using var factory = new PlanHostFactory();
        await using var host = factory.WithWebHostBuilder(b => b.UseSetting("Mutation:Cron", ""));
        _ = host.Server;

        Assert.Null(MutationJob(host));
    }
}
