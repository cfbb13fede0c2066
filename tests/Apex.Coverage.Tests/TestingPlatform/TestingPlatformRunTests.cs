using Apex.Coverage.Tests.Fixtures;
using Apex.Coverage.Tests.Runs;
using Apex.Coverage.Web.Results;
using Apex.Coverage.Web.Runs;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TestOutcome = Apex.Coverage.Web.Results.TestOutcome;

namespace Apex.Coverage.Tests.TestingPlatform;

/// <summary>
/// Real runs of Microsoft.Testing.Platform apps through their server mode (JSON-RPC, as IDEs drive
/// them): discovery, results recorded and pushed as they land, selection, and the lifecycle a
/// VSTest run has — cancel, timeout, crash, leftover processes, a suite that cannot start.
/// </summary>
// In the runner collection, never beside CoverageRunTests: both measure Apex.Fixture.Library, and a coverage run
// beside another one (CI at 21209c8) saw 0 of 14 lines covered.
[Collection(RunnerCollection.Name)]
public sealed partial class TestingPlatformRunTests(TestingPlatformHost host) : IClassFixture<TestingPlatformHost>
{
    private const string TheoryName = "Apex.Fixture.Mtp.Xunit.MtpTheoryTests.IsPositive";

    private RunnerHostFactory Factory => host.Factory;

    [Fact]
    public async Task WholeSuite_RecordsAndPushesEveryResultWithPlanItems_WhenSuiteIsXunitV3InServerMode()
    {
        var pushed = new List<RunUpdate>();
        using var watch = Factory.Services.GetRequiredService<RunNotifier>().Subscribe(null, u => { lock (pushed) pushed.Add(u); });

        var id = await Factory.StartAsync(TestingPlatformHost.Xunit);
        var run = await Factory.WaitForEndAsync(id);
        var results = await Factory.ResultsAsync(id);

        Assert.Equal((RunStatus.Failed, 7, 6, 1), (run.Status, run.Total, run.Passed, run.Failed));
        Assert.Equal(7, results.Select(r => r.ResultKey).Distinct().Count());
        Assert.Equal(3, results.Count(r => r.FullyQualifiedName == TheoryName));
        var failed = Assert.Single(results, r => r.Outcome == TestOutcome.Failed);
        Assert.Equal("Apex.Fixture.Mtp.Xunit.MtpTests.Fails", failed.FullyQualifiedName);
        Assert.Contains("on purpose", failed.ErrorMessage, StringComparison.Ordinal);
        lock (pushed)
        {
            Assert.Equal(results.Select(r => r.ResultKey).Order(), pushed.Where(u => u.RunId == id && u.Kind == RunUpdateKind.Result).Select(u => u.Result!.ResultKey).Order());
        }

        await using var db = Factory.Database();
        var discovered = await db.DiscoveredTests.AsNoTracking().Where(t => t.SuiteName == TestingPlatformHost.Xunit).ToListAsync(TestContext.Current.CancellationToken);
        Assert.Equal(5, discovered.Count);
        Assert.Equal("2", discovered.Single(t => t.FullyQualifiedName == TheoryName).PlanItems);
        Assert.EndsWith("Apex.Fixture.Mtp.Xunit.dll", discovered[0].Source, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_RecordsTheSameKeysAndTestsAsVsTest_WhenTheSameDualModeAppRunsBothWays()
    {
        var viaVsTest = await Factory.WaitForEndAsync(await Factory.StartAsync(TestingPlatformHost.XunitThroughVsTest, new RunSelection(PlanItems: [1, 2])));
        var viaServerMode = await Factory.WaitForEndAsync(await Factory.StartAsync(TestingPlatformHost.Xunit, new RunSelection(PlanItems: [1, 2])));

        var vsTest = await Factory.ResultsAsync(viaVsTest.Id);
        var serverMode = await Factory.ResultsAsync(viaServerMode.Id);
        Assert.Equal(5, serverMode.Count);
        Assert.Equal(Rows(vsTest), Rows(serverMode));
    }

    // The result key too: a test's history is one whichever runner ran it.
    private static List<string> Rows(IEnumerable<Web.Results.TestResult> results) =>
        [.. results.Select(r => $"{r.ResultKey} | {r.FullyQualifiedName} | {r.DisplayName} | {r.Outcome}").Order(StringComparer.Ordinal)];

    // A server-mode run's discovery starts an app of its own, so its run session starts after the tests are known.
    public static TheoryData<string, string[]> Timelines => new()
    {
        { TestingPlatformHost.Xunit, ["claimed", "discovered", "tests started", "session started", "first result", "last result", "run returned", "recorded", "session ended", "end written"] },
        { TestingPlatformHost.XunitThroughVsTest, ["claimed", "session started", "discovered", "tests started", "first result", "last result", "run returned", "recorded", "session ended", "end written"] },
    };

    [Theory]
    [MemberData(nameof(Timelines))]
    public async Task Timeline_LogsEveryPhaseInTheOrderItHappened_WhenARunEnds(string suite, string[] phases)
    {
        var id = await Factory.StartAsync(suite, new RunSelection(PlanItems: [2]));
        var run = await Factory.WaitForEndAsync(id);

        // Logged last, once the end state is written.
        var logged = await Eventually.ThatAsync(() => Task.FromResult(host.Log.TimelineOf(id)), t => t is not null, $"run {id}'s timeline");
        Assert.Equal((RunStatus.Passed, 3), (run.Status, run.Total));
        Assert.Equal(phases, logged);
    }

    [Fact]
    public async Task PlanItemSelection_RunsOnlyTheItemsTests_WhenSuiteRunsInServerMode()
    {
        var id = await Factory.StartAsync(TestingPlatformHost.Xunit, new RunSelection(PlanItems: [2]));
        var run = await Factory.WaitForEndAsync(id);

        Assert.Equal((RunStatus.Passed, 3), (run.Status, run.Total));
        Assert.All(await Factory.ResultsAsync(id), r => Assert.Equal(TheoryName, r.FullyQualifiedName));
    }

    public static TheoryData<string, string> OtherRunners => new()
    {
        { TestingPlatformHost.MSTest, "Apex.Fixture.Mtp.MSTest.MtpTests.IsPositive" },
        { TestingPlatformHost.NUnit, "Apex.Fixture.Mtp.NUnit.MtpTests.IsPositive" },
    };

    [Theory]
    [MemberData(nameof(OtherRunners))]
    public async Task WholeSuite_RecordsEveryResult_WhenSuiteIsAnMtpAppVsTestCannotHost(string suite, string dataRowsName)
    {
        var id = await Factory.StartAsync(suite);
        var run = await Factory.WaitForEndAsync(id);
        var results = await Factory.ResultsAsync(id);

        Assert.Equal((RunStatus.Passed, 3, 3), (run.Status, run.Total, run.Passed));
        Assert.Equal(2, results.Count(r => r.FullyQualifiedName == dataRowsName));
        Assert.Equal(3, results.Select(r => r.ResultKey).Distinct().Count());
    }

    [Fact]
    public async Task Cancel_EndsHungRunCanceledKeepingResultsAndEndingTheAppsChildren_WhenATestHangs()
    {
        var id = await Factory.StartAsync(TestingPlatformHost.Hanging, new RunSelection(PlanItems: [1, 3]));
        await WaitUntilRunningAsync(id, "Hangs");
        // Live: what already passed is stored while the hung test still runs.
        await Factory.WaitForAsync(id, r => r.Passed > 0, TimeSpan.FromSeconds(60));
        Assert.NotEmpty(ProcessTable.Carrying("APEX_FIXTURE_HANG=1", "Apex.Fixture.Mtp.Xunit"));

        Assert.Equal(CancelOutcome.Stopping, await Factory.Requests.CancelAsync(id, TestContext.Current.CancellationToken));
        var run = await Factory.WaitForEndAsync(id, seconds: 60);

        // The app answers the cancel while the hung test sleeps on; the session then kills it.
        Assert.Equal(RunStatus.Canceled, run.Status);
        Assert.StartsWith("Canceled.", run.Message, StringComparison.Ordinal);
        Assert.Contains(await Factory.ResultsAsync(id), r => r.FullyQualifiedName == "Apex.Fixture.Mtp.Xunit.MtpTests.Passes" && r.Outcome == TestOutcome.Passed);
        // The hung test's own child outlived the killed app; the runner ends it by the run's marker.
        Assert.Empty(ProcessTable.Carrying("APEX_FIXTURE_HANG=1", "sleep"));
        Assert.Empty(ProcessTable.Carrying("APEX_FIXTURE_HANG=1", "Apex.Fixture.Mtp.Xunit"));
    }

    [Fact]
    public async Task Timeout_EndsRunAborted_WhenAServerModeRunOutlastsItsTimeout()
    {
        var id = await Factory.StartAsync(TestingPlatformHost.HangingShortTimeout, new RunSelection(PlanItems: [3]));
        var run = await Factory.WaitForEndAsync(id, seconds: 90);

        Assert.Equal(RunStatus.Aborted, run.Status);
        Assert.StartsWith("Timed out after 00:00:08", run.Message, StringComparison.Ordinal);
        Assert.Empty(ProcessTable.Carrying("APEX_FIXTURE_HANG=1", "sleep"));
    }

    [Fact]
    public async Task Crash_EndsAbortedKeepingResultsAndNamingTheTest_WhenTheAppDies()
    {
        var id = await Factory.StartAsync(TestingPlatformHost.Crashing, new RunSelection(PlanItems: [1, 3]));
        // The app dies only once the dashboard shows the test running and has stored a passed result of another class.
        await WaitUntilRunningAsync(id, "Crashes");
        await Factory.WaitForAsync(id, _ => Stored(id, "Apex.Fixture.Mtp.Xunit.MtpTests.Passes"), TimeSpan.FromSeconds(60));
        await File.WriteAllTextAsync(host.CrashSignal, "crash", TestContext.Current.CancellationToken);
        var run = await Factory.WaitForEndAsync(id);
        var results = await Factory.ResultsAsync(id);

        Assert.Equal(RunStatus.Aborted, run.Status);
        Assert.Contains("The test host crashed while running Apex.Fixture.Mtp.Xunit.MtpHostKillerTests.Crashes", run.Message, StringComparison.Ordinal);
        Assert.Contains("The test app exited with code", run.Message, StringComparison.Ordinal);
        Assert.Contains(results, r => r.FullyQualifiedName == "Apex.Fixture.Mtp.Xunit.MtpTests.Passes" && r.Outcome == TestOutcome.Passed);
        var crashed = Assert.Single(results, r => r.FullyQualifiedName.EndsWith(".Crashes", StringComparison.Ordinal));
        Assert.Equal(TestOutcome.Failed, crashed.Outcome);
        Assert.Equal(results.Count, run.Total);
    }

    [Fact]
    public async Task Run_EndsFailedWithOneSentenceNamingCauseAndFix_WhenTheAppCannotStart()
    {
        var id = await Factory.StartAsync(TestingPlatformHost.CannotStart);
        var run = await Factory.WaitForEndAsync(id);

        Assert.Equal((RunStatus.Failed, 0), (run.Status, run.Total));
        Assert.StartsWith($"Suite '{TestingPlatformHost.CannotStart}' is a Microsoft.Testing.Platform test app (Apex.Fixture.Mtp.Xunit.dll, selected in ", run.Message, StringComparison.Ordinal);
        Assert.Contains("exited with code", run.Message, StringComparison.Ordinal);
        Assert.Contains("apex-hook.dll", run.Message, StringComparison.Ordinal);
        Assert.Contains("--list-tests", run.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Message, StringComparison.Ordinal);
        Assert.Empty(await Factory.ResultsAsync(id));
    }

    [Fact]
    public async Task DashboardStop_InterruptsTheRunAndEndsTheApp_WhenTheDashboardStopsDuringAServerModeRun()
    {
        var folder = TempFolder.Create("apex-mtp-stop");
        try
        {
            long id;
            await using (var dashboard = new RunnerHostFactory(host.XunitAssembly, folder, keepFolder: true, configure: builder =>
                TestingPlatformHost.Suite(builder, TestingPlatformHost.Hanging, host.XunitAssembly, ("Environment:APEX_FIXTURE_HANG", "1"), ("Environment:" + ProcessTable.OwnerVariable, ProcessTable.Owner))))
            {
                id = await dashboard.StartAsync(TestingPlatformHost.Hanging, new RunSelection(PlanItems: [3]));
                await WaitUntilRunningAsync(dashboard, id, "Hangs");
            }

            // The next start recovers whatever the stop left unfinished; the app must be gone already.
            Assert.Empty(ProcessTable.Carrying("APEX_FIXTURE_HANG=1", "Apex.Fixture.Mtp.Xunit"));
            Assert.Empty(ProcessTable.Carrying("APEX_FIXTURE_HANG=1", "sleep"));
            await using var restarted = new RunnerHostFactory(host.XunitAssembly, folder, keepFolder: true);
            _ = restarted.Server;
            await using var db = restarted.Database();
            var run = await db.TestRuns.AsNoTracking().SingleAsync(r => r.Id == id, TestContext.Current.CancellationToken);
            Assert.Equal(RunStatus.Interrupted, run.Status);
            Assert.StartsWith("The dashboard stopped during the run", run.Message, StringComparison.Ordinal);
        }
        finally
        {
            TempFolder.Delete(folder);
        }
    }

    private bool Stored(long id, string name)
    {
        using var db = Factory.Database();
        return db.TestResults.Any(r => r.RunId == id && r.FullyQualifiedName == name);
    }

    private Task WaitUntilRunningAsync(long id, string test) => WaitUntilRunningAsync(Factory, id, test);

    private static async Task WaitUntilRunningAsync(RunnerHostFactory factory, long id, string test)
    {
        var active = factory.Services.GetRequiredService<ActiveRuns>();
        await factory.WaitForAsync(id, r => r.Status == RunStatus.Running
            && active.Find(id)?.Progress.RunningTests.Any(t => t.EndsWith(test, StringComparison.Ordinal)) == true, TimeSpan.FromSeconds(90));
    }
}
