using Apex.Coverage.Web.Results;
using Apex.Coverage.Web.Runs;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TestOutcome = Apex.Coverage.Web.Results.TestOutcome;

namespace Apex.Coverage.Tests.Runs;

/// <summary>Real runs of the fixture suite through the translation layer, from request to end state.</summary>
[Collection(RunnerCollection.Name)]
public sealed class RunnerTests(RunnerHost host)
{
    private RunnerHostFactory Factory => host.Factory;

    [Fact]
    public async Task WholeSuite_RecordsEveryResultAndEndsFailed_WhenOneTestFails()
    {
        var pushed = new List<RunUpdate>();
        using var watch = Factory.Services.GetRequiredService<RunNotifier>().Subscribe(null, u => { lock (pushed) pushed.Add(u); });

        var id = await Factory.StartAsync(RunnerHostFactory.Suite);
        var run = await Factory.WaitForEndAsync(id);
        var results = await Factory.ResultsAsync(id);

        Assert.Equal((RunStatus.Failed, 10, 8, 1, 1), (run.Status, run.Total, run.Passed, run.Failed, run.Skipped));
        Assert.Equal(10, results.Count);
        var theoryRows = results.Where(r => r.FullyQualifiedName == "Apex.Fixture.Suite.TheoryTests.IsPositive").ToList();
        Assert.Equal(3, theoryRows.Select(r => r.ResultKey).Distinct().Count());
        Assert.Contains(results, r => r.DisplayName.EndsWith(".Fails", StringComparison.Ordinal) && r.ErrorMessage!.Contains("on purpose", StringComparison.Ordinal));
        lock (pushed)
        {
            Assert.Equal(results.Select(r => r.ResultKey).Order(), pushed.Where(u => u.RunId == id && u.Kind == RunUpdateKind.Result).Select(u => u.Result!.ResultKey).Order());
        }
    }

    [Fact]
    public async Task Discovery_StoresTestsWithTraitsAndPlanItems_WhenSuiteRuns()
    {
        var id = await Factory.StartAsync(RunnerHostFactory.Suite, new RunSelection(PlanItems: [1]));
        await Factory.WaitForEndAsync(id);

        await using var db = Factory.Database();
        var tests = await db.DiscoveredTests.AsNoTracking().Where(t => t.SuiteName == RunnerHostFactory.Suite).ToListAsync(TestContext.Current.CancellationToken);
        Assert.Equal(8, tests.Count);
        var slow = tests.Single(t => t.FullyQualifiedName == "Apex.Fixture.Suite.PassingTests.WaitsBriefly");
        Assert.Equal("1", slow.PlanItems);
        Assert.Contains("\"Speed\":[\"Slow\"]", slow.TraitsJson, StringComparison.Ordinal);
        Assert.Equal(string.Empty, tests.Single(t => t.FullyQualifiedName.EndsWith("HasNoPlanItem", StringComparison.Ordinal)).PlanItems);
        Assert.EndsWith("Apex.Fixture.Suite.dll", slow.Source, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PlanItemSelection_RunsOnlyTheItemsTests_WhenPlanItemIsGiven()
    {
        var id = await Factory.StartAsync(RunnerHostFactory.Suite, new RunSelection(PlanItems: [3]));
        var run = await Factory.WaitForEndAsync(id);

        Assert.Equal((RunStatus.Passed, 3, "PlanId=3"), (run.Status, run.Total, run.TestCaseFilter));
        Assert.All(await Factory.ResultsAsync(id), r => Assert.Equal("Apex.Fixture.Suite.TheoryTests.IsPositive", r.FullyQualifiedName));
    }

    [Fact]
    public async Task PlanItemSelection_RunsTestsWhoseTraitListsSeveralItems_WhenOneOfThemIsSelected()
    {
        // TheoryTests carry PlanId="5,6": VSTest's own PlanId=5 would match nothing.
        var id = await Factory.StartAsync(RunnerHostFactory.Suite, new RunSelection(PlanItems: [5]));
        var run = await Factory.WaitForEndAsync(id);

        Assert.Equal((RunStatus.Passed, 3), (run.Status, run.Total));
        Assert.All(await Factory.ResultsAsync(id), r => Assert.Equal("Apex.Fixture.Suite.TheoryTests.IsPositive", r.FullyQualifiedName));
    }

    [Fact]
    public async Task OnlyFailed_RerunsJustTheTestThatFailed_WhenLastRunHadAFailure()
    {
        await Factory.WaitForEndAsync(await Factory.StartAsync(RunnerHostFactory.Suite, new RunSelection(PlanItems: [2])));

        var id = await Factory.StartAsync(RunnerHostFactory.Suite, new RunSelection(OnlyFailed: true));
        var run = await Factory.WaitForEndAsync(id);

        Assert.Equal("FullyQualifiedName=Apex.Fixture.Suite.FailingTests.Fails", run.TestCaseFilter);
        Assert.Equal((RunStatus.Failed, 1, 1), (run.Status, run.Total, run.Failed));
    }

    [Fact]
    public async Task CrashingHost_EndsAbortedKeepingResultsAndNamingTheTest_WhenTestCallsFailFast()
    {
        var id = await Factory.StartAsync(RunnerHostFactory.Crashing, new RunSelection(PlanItems: [1, 4]));
        var run = await Factory.WaitForEndAsync(id);
        var results = await Factory.ResultsAsync(id);

        // FailFast kills xunit v3's test process under the host: the run ends, but without these results.
        Assert.Equal(RunStatus.Aborted, run.Status);
        Assert.Contains("no result came for Apex.Fixture.Suite.HostKillerTests.CrashesHost", run.Message, StringComparison.Ordinal);
        Assert.Contains(results, r => r.DisplayName.EndsWith(".Adds", StringComparison.Ordinal) && r.Outcome == TestOutcome.Passed);
        Assert.DoesNotContain(results, r => r.DisplayName.EndsWith(".CrashesHost", StringComparison.Ordinal));
        Assert.Equal(results.Count, run.Total);
    }

    [Fact]
    public async Task KilledHost_EndsAbortedKeepingResultsAndNamingTheTest_WhenTestHostDies()
    {
        var id = await Factory.StartAsync(RunnerHostFactory.KillingHost, new RunSelection(PlanItems: [1, 4]));
        var run = await Factory.WaitForEndAsync(id);
        var results = await Factory.ResultsAsync(id);

        Assert.Equal(RunStatus.Aborted, run.Status);
        Assert.Contains("Test host process crashed", run.Message, StringComparison.Ordinal);
        Assert.Contains("Apex.Fixture.Suite.HostKillerTests.CrashesHost", run.Message, StringComparison.Ordinal);
        Assert.Contains(results, r => r.DisplayName.EndsWith(".Adds", StringComparison.Ordinal) && r.Outcome == TestOutcome.Passed);
        // What VSTest still counted as running when the host died is recorded as failed by the crash.
        Assert.All(results.Where(r => r.ErrorMessage?.Contains("crashed", StringComparison.Ordinal) == true),
            r => Assert.Equal(TestOutcome.Failed, r.Outcome));
        Assert.Equal(results.Count, run.Total);
    }

    [Fact]
    public async Task Cancel_EndsHungRunAsCanceledWithinTheGracePeriod_WhenATestHangs()
    {
        var id = await Factory.StartAsync(RunnerHostFactory.Hanging, new RunSelection(PlanItems: [4]));
        await WaitUntilRunningAsync(id, "Hangs");
        Assert.NotEmpty(ProcessTable.Carrying("APEX_FIXTURE_HANG=1", "Apex.Fixture.Suite"));

        var asked = DateTimeOffset.UtcNow;
        Assert.Equal(CancelOutcome.Stopping, await Factory.Requests.CancelAsync(id, TestContext.Current.CancellationToken));
        var run = await Factory.WaitForEndAsync(id, seconds: 60);

        Assert.Equal(RunStatus.Canceled, run.Status);
        Assert.Contains("aborted", run.Message, StringComparison.Ordinal);
        // Aborting the host orphans xunit's test process with the hung test; the runner ends it.
        Assert.Empty(ProcessTable.Carrying("APEX_FIXTURE_HANG=1", "Apex.Fixture.Suite"));
        // Cooperative cancel (ignored by the hung test), then abort: two grace periods and the abort itself.
        Assert.InRange(run.FinishedAt!.Value - asked, TimeSpan.Zero, (2 * RunnerHostFactory.Grace) + TimeSpan.FromSeconds(8));
    }

    [Fact]
    public async Task Timeout_EndsRunAborted_WhenTheRunOutlastsItsTimeout()
    {
        var id = await Factory.StartAsync(RunnerHostFactory.HangingShortTimeout, new RunSelection(PlanItems: [4]));
        var run = await Factory.WaitForEndAsync(id, seconds: 90);

        Assert.Equal(RunStatus.Aborted, run.Status);
        Assert.StartsWith("Timed out after 00:00:08", run.Message, StringComparison.Ordinal);
        Assert.InRange(run.FinishedAt!.Value - run.StartedAt!.Value, TimeSpan.FromSeconds(8), TimeSpan.FromSeconds(40));
    }

    [Fact]
    public async Task BuildFailure_EndsRunFailedWithCompilerErrors_WhenProjectDoesNotCompile()
    {
        var id = await Factory.StartAsync(RunnerHostFactory.Broken);
        var run = await Factory.WaitForEndAsync(id, seconds: 180);

        Assert.Equal(RunStatus.Failed, run.Status);
        Assert.Contains("error CS0103", run.Message, StringComparison.Ordinal);
        Assert.Contains("ThisMethodDoesNotExist", run.BuildLog, StringComparison.Ordinal);
        Assert.Equal(0, run.Total);
    }

    [Fact]
    public async Task BuildBeforeRun_BuildsThenRuns_WhenProjectCompiles()
    {
        var id = await Factory.StartAsync(RunnerHostFactory.Built, new RunSelection(PlanItems: [1]));
        var run = await Factory.WaitForEndAsync(id, seconds: 240);

        Assert.Equal((RunStatus.Passed, 2), (run.Status, run.Total));
        Assert.Contains("Apex.Fixture.Suite", run.BuildLog, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CancelQueued_EndsItAtOnceAndRunsOthersInOrder_WhenSuiteIsBusy()
    {
        var hung = await Factory.StartAsync(RunnerHostFactory.Hanging, new RunSelection(PlanItems: [4]));
        var second = await Factory.StartAsync(RunnerHostFactory.Hanging, new RunSelection(PlanItems: [3]));
        var third = await Factory.StartAsync(RunnerHostFactory.Hanging, new RunSelection(PlanItems: [1]));
        await WaitUntilRunningAsync(hung, "Hangs");

        Assert.Equal(CancelOutcome.Canceled, await Factory.Requests.CancelAsync(second, TestContext.Current.CancellationToken));
        Assert.Equal(RunStatus.Queued, (await Factory.WaitForAsync(third, _ => true, TimeSpan.FromSeconds(5))).Status);
        await Factory.Requests.CancelAsync(hung, TestContext.Current.CancellationToken);
        var first = await Factory.WaitForEndAsync(hung, seconds: 60);
        var last = await Factory.WaitForEndAsync(third);

        Assert.Equal((RunStatus.Canceled, 0), ((await Factory.WaitForEndAsync(second)).Status, (await Factory.WaitForEndAsync(second)).Total));
        Assert.Equal(RunStatus.Passed, last.Status);
        Assert.True(last.StartedAt >= first.FinishedAt, "runs of one suite must not overlap");
    }

    private async Task WaitUntilRunningAsync(long id, string test)
    {
        var active = Factory.Services.GetRequiredService<ActiveRuns>();
        await Factory.WaitForAsync(id, r => r.Status == RunStatus.Running
            && active.Find(id)?.Progress.RunningTests.Any(t => t.EndsWith(test, StringComparison.Ordinal)) == true, TimeSpan.FromSeconds(90));
    }
}
