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
/// recurring job, and without one there is none. The repository schedules one item a night at 03:00 UTC,
/// after the nightly L2 run at 02:00 (docs/adr/0272).
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
    public void RepositoryConfiguration_MutatesOneItemEachNight_AfterTheNightlyL2RunHasStarted()
    {
        var settings = new ConfigurationBuilder().AddJsonFile(Path.Combine(FixtureSuiteBuild.RepoRoot, "appsettings.json")).Build();

        var mutation = DailyAt(RepositoryOptions().Cron);
        var l2 = DailyAt(settings["Schedules:nightly:Cron"]);

        Assert.Equal(1, RepositoryOptions().ItemsPerSchedule);
        Assert.True(mutation > l2, $"mutation at {mutation}, L2 at {l2}");
    }

    /// <summary>The time of day of a daily cron ("m h * * *").</summary>
    private static TimeSpan DailyAt(string? cron)
    {
        var fields = (cron ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(fields is [_, _, "*", "*", "*"], $"'{cron}' is not a daily cron");
        return new TimeSpan(int.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture), int.Parse(fields[0], System.Globalization.CultureInfo.InvariantCulture), 0);
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
