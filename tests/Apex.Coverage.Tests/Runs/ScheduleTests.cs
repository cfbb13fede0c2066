using Apex.Coverage.Tests.Fixtures;
using Apex.Coverage.Web.Results;
using Apex.Coverage.Web.Runs;
using Hangfire;
using Hangfire.Storage;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Apex.Coverage.Tests.Runs;

/// <summary>Schedules from configuration as Hangfire recurring jobs, edited in place, and start-up validation.</summary>
[Collection(RunnerCollection.Name)]
public sealed class ScheduleTests(RunnerHost host)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private RunnerHostFactory Start(Action<IWebHostBuilder> configure)
    {
        var factory = new RunnerHostFactory(host.Build.Assembly, configure: configure);
        _ = factory.Server;
        return factory;
    }

    private static void Nightly(IWebHostBuilder builder)
    {
        builder.UseSetting("Schedules:nightly:Cron", "0 2 * * *");
        builder.UseSetting("Schedules:nightly:Suite", RunnerHostFactory.Suite);
        builder.UseSetting("Schedules:nightly:PlanItems:0", "3");
    }

    private static RecurringJobDto? Job(RunnerHostFactory factory, string name) =>
        factory.Services.GetRequiredService<JobStorage>().GetConnection().GetRecurringJobs()
            .SingleOrDefault(j => j.Id == ScheduleBook.JobId(name));

    [Fact]
    public async Task Startup_RegistersConfiguredScheduleAsRecurringJob_WhenCronIsValid()
    {
        await using var factory = Start(Nightly);

        var job = Job(factory, "nightly");

        Assert.NotNull(job);
        Assert.Equal("0 2 * * *", job.Cron);
    }

    [Fact]
    public async Task Update_ChangesCronAndKeepsTheEdit_WhenCronIsValid()
    {
        await using var factory = Start(Nightly);
        var book = factory.Services.GetRequiredService<ScheduleBook>();

        await book.UpdateAsync("nightly", "30 3 * * 1-5", enabled: true, Ct);
        var listed = Assert.Single(await book.ListAsync(Ct), s => s.Name == "nightly");

        Assert.Equal("30 3 * * 1-5", Job(factory, "nightly")!.Cron);
        Assert.True(listed.Edited);
        Assert.Contains("30 3 * * 1-5", await File.ReadAllTextAsync(Path.Combine(factory.Folder, "data", "schedules.json"), Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Update_RefusesAndKeepsTheJob_WhenCronIsInvalid()
    {
        await using var factory = Start(Nightly);
        var book = factory.Services.GetRequiredService<ScheduleBook>();

        var error = await Assert.ThrowsAsync<ScheduleException>(() => book.UpdateAsync("nightly", "every night", enabled: true, Ct));

        Assert.Contains("Schedules:nightly", error.Message, StringComparison.Ordinal);
        Assert.Equal("0 2 * * *", Job(factory, "nightly")!.Cron);
    }

    [Fact]
    public async Task Update_RemovesTheJob_WhenScheduleIsSwitchedOff()
    {
        await using var factory = Start(Nightly);

        await factory.Services.GetRequiredService<ScheduleBook>().UpdateAsync("nightly", "0 2 * * *", enabled: false, Ct);

        Assert.Null(Job(factory, "nightly"));
    }

    [Fact]
    public async Task ScheduledJob_StartsARunOfSourceSchedule_WhenItFires()
    {
        await using var factory = Start(Nightly);

        await factory.Services.GetRequiredService<ScheduledRunJob>().StartAsync("nightly", Ct);
        await using var db = factory.Database();
        var run = await db.TestRuns.AsNoTracking().OrderByDescending(r => r.Id).FirstAsync(Ct);
        var ended = await factory.WaitForEndAsync(run.Id);

        Assert.Equal((RunSource.Schedule, "PlanId=3"), (run.Source, run.TestCaseFilter));
        Assert.Equal((RunStatus.Passed, 3), (ended.Status, ended.Total));
    }

    [Fact]
    public async Task Startup_FailsNamingTheKey_WhenASuiteHasNoAssembly()
    {
        var error = Assert.IsType<OptionsValidationException>(await StartupFailure.OfAsync(b => b.UseSetting("Suites:Nameless:Project", "x.csproj")));

        Assert.Contains("Suites:Nameless:Assembly is required", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Startup_FailsNamingTheKey_WhenAScheduleCronIsInvalid()
    {
        await using var factory = new RunnerHostFactory(host.Build.Assembly, configure: b => b.UseSetting("Schedules:broken:Cron", "sometimes"));

        var error = Assert.Throws<ScheduleException>(() => factory.Server);

        Assert.Contains("Schedules:broken", error.Message, StringComparison.Ordinal);
    }
}
