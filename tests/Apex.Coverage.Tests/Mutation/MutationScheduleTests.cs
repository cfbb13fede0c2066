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
/// The nightly mutation run (issue 23, point 4): the repository's appsettings.json schedules it and
/// builds the suite for Stryker's mtp runner (docs/adr/0250), and a host started with that
/// configuration registers the Hangfire recurring job; without a cron there is none.
/// </summary>
public sealed class MutationScheduleTests
{
    private static MutationOptions RepositoryOptions() =>
        new ConfigurationBuilder().AddJsonFile(Path.Combine(FixtureSuiteBuild.RepoRoot, "appsettings.json")).Build()
            .GetSection(MutationOptions.SectionName).Get<MutationOptions>()!;

    private static RecurringJobDto? MutationJob(WebApplicationFactory<Program> host) =>
        host.Services.GetRequiredService<JobStorage>().GetConnection().GetRecurringJobs().SingleOrDefault(j => j.Id == MutationScheduleJob.JobId);

    [Fact]
    public async Task Startup_RegistersTheNightlyMutationJob_WithTheRepositorysConfiguration()
    {
        var configured = RepositoryOptions();
        await using var factory = new PlanHostFactory();
        await using var host = factory.WithWebHostBuilder(b => b.UseSetting("Mutation:Cron", configured.Cron));
        _ = host.Server;

        var job = MutationJob(host);

        Assert.False(string.IsNullOrWhiteSpace(configured.Cron));
        Assert.NotNull(job);
        Assert.Equal((configured.Cron, nameof(MutationScheduleJob.QueueAsync)), (job.Cron, job.Job.Method.Name));
        Assert.InRange(job.NextExecution!.Value, DateTime.UtcNow, DateTime.UtcNow.AddDays(1));
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
