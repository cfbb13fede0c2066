using Apex.Coverage.Web.Results;
using Apex.Coverage.Web.Runs;
using Apex.Coverage.Web.VsTest;

namespace Apex.Coverage.Tests.Runs;

public sealed class RunEndingTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    private static RecordedRun Recorded(int total = 3, int failed = 0, string[]? unfinished = null, string[]? missing = null) =>
        RecordedRun.Empty with { Total = total, Passed = total - failed, Failed = failed, Unfinished = unfinished ?? [], Missing = missing ?? [] };

    private static VsTestRunCompletion Completed(bool aborted = false, string? error = null, bool escalated = false) =>
        new(new VsTestRunEnd(aborted, false, error), escalated, false);

    [Fact]
    public void Decide_Passed_WhenEveryResultPassed() =>
        Assert.Equal(new RunEnd(RunStatus.Passed, null), RunEnding.Decide(StopReason.None, Completed(), Recorded(), Timeout));

    [Fact]
    public void Decide_FailedWithCount_WhenOneTestFailed() =>
        Assert.Equal(new RunEnd(RunStatus.Failed, "1 of 3 tests failed."), RunEnding.Decide(StopReason.None, Completed(), Recorded(failed: 1), Timeout));

    [Fact]
    public void Decide_Failed_WhenNothingMatchedTheSelection() =>
        Assert.Equal(RunStatus.Failed, RunEnding.Decide(StopReason.None, Completed(), Recorded(total: 0), Timeout).Status);

    [Fact]
    public void Decide_AbortedNamingTheTest_WhenHostCrashedDuringIt()
    {
        var end = RunEnding.Decide(StopReason.None, Completed(aborted: true, error: "Test host process crashed"), Recorded(unfinished: ["A.Crash"]), Timeout);

        Assert.Equal(RunStatus.Aborted, end.Status);
        Assert.Equal("The test host crashed while running A.Crash. Test host process crashed", end.Message);
    }

    [Fact]
    public void Decide_AbortedNamingMissingTests_WhenRunEndedWithoutTheirResults() =>
        Assert.Equal(new RunEnd(RunStatus.Aborted, "The test process died: no result came for A.X, A.Y."),
            RunEnding.Decide(StopReason.None, Completed(), Recorded(missing: ["A.X", "A.Y"]), Timeout));

    [Fact]
    public void Decide_CanceledSayingItAborted_WhenCancelNeededTheAbort()
    {
        var end = RunEnding.Decide(StopReason.Canceled, Completed(aborted: true, escalated: true), Recorded(unfinished: ["A.Hang"]), Timeout);

        Assert.Equal(RunStatus.Canceled, end.Status);
        Assert.Contains("aborted", end.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_AbortedWithTimeout_WhenRunTimedOut() =>
        Assert.Equal(new RunEnd(RunStatus.Aborted, "Timed out after 00:05:00."), RunEnding.Decide(StopReason.TimedOut, Completed(aborted: true), Recorded(), Timeout));

    [Fact]
    public void Decide_Interrupted_WhenDashboardStopped() =>
        Assert.Equal(RunStatus.Interrupted, RunEnding.Decide(StopReason.Shutdown, Completed(aborted: true), Recorded(), Timeout).Status);
}
