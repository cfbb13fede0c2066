using Apex.Coverage.Web.Results;
using Apex.Coverage.Web.VsTest;
namespace Apex.Coverage.Web.Runs;

/// <summary>The state a run ends in and why, from how it was stopped and what was recorded.</summary>
public sealed record RunEnd(RunStatus Status, string? Message);

/// <summary>
/// Decides how a run that reached the test host ends. A stop asked for (cancel, timeout, the
/// dashboard stopping) wins over what vstest.console reports, since aborting is how a stop ends a
/// hung test; otherwise an abort is a crash and names the tests that never finished.
/// </summary>
public static class RunEnding
{
    public static RunEnd Decide(StopReason reason, VsTestRunCompletion completion, RecordedRun recorded, TimeSpan timeout)
    {
        var escalated = completion.AbortedAfterGrace ? " The tests did not stop within the grace period, so the test host was aborted." : "";
        return reason switch
        {
            StopReason.Canceled => new RunEnd(RunStatus.Canceled, "Canceled." + escalated),
            StopReason.TimedOut => new RunEnd(RunStatus.Aborted, $"Timed out after {timeout}." + escalated),
            StopReason.Shutdown => new RunEnd(RunStatus.Interrupted, "The dashboard stopped during the run." + escalated),
            _ => Finished(completion.End, recorded),
        };
    }

    /// <summary>The end of a run stopped before its tests ran (during the build or discovery).</summary>
    public static RunEnd Stopped(StopReason reason, TimeSpan timeout) => reason switch
    {
        StopReason.Canceled => new RunEnd(RunStatus.Canceled, "Canceled before the tests started."),
        StopReason.TimedOut => new RunEnd(RunStatus.Aborted, $"Timed out after {timeout} before the tests started."),
        _ => new RunEnd(RunStatus.Interrupted, "The dashboard stopped before the tests started."),
    };

    private static RunEnd Finished(VsTestRunEnd end, RecordedRun recorded)
    {
        // xunit v3 runs the tests in a child process of the test host: when that child dies the run
        // still ends normally, and only the selected tests that never reported tell of the crash.
        if (end.IsAborted || recorded.Unfinished.Count > 0 || recorded.Missing.Count > 0)
        {
            var parts = new List<string?>
            {
                recorded.Unfinished.Count > 0 ? $"The test host crashed while running {string.Join(", ", recorded.Unfinished)}." : null,
                recorded.Missing.Count > 0 ? $"The test process died: no result came for {string.Join(", ", recorded.Missing)}." : null,
                end.Error,
            };
            parts.AddRange(recorded.Errors);
            var message = string.Join(" ", parts.OfType<string>().Distinct());
            return new RunEnd(RunStatus.Aborted, message.Length > 0 ? message : "The test run was aborted.");
        }

        if (recorded.Total == 0)
        {
            return new RunEnd(RunStatus.Failed, "No test matched the selection.");
        }

        return recorded.Failed > 0
            ? new RunEnd(RunStatus.Failed, $"{recorded.Failed} of {recorded.Total} tests failed.")
            : new RunEnd(RunStatus.Passed, null);
    }
}
