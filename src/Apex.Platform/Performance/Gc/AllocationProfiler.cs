using System.Runtime;

namespace Apex.Platform.Performance.Gc;

/// <summary>An operation's allocation per call against its recorded baseline.</summary>
public sealed record AllocationVerdict(string Operation, double BaselineBytesPerCall, double BytesPerCall, bool IsRegression);

/// <summary>
/// Measures bytes allocated per call on the calling thread (exact, whatever else the process
/// does) and judges it against a baseline: allocation is what drives GC frequency and so pauses,
/// and unlike a latency figure it can be checked on a loaded machine.
/// </summary>
public sealed class AllocationProfiler(PerformanceAlerts alerts, double tolerance = 1.5, long slackBytes = 256)
{
    public static double BytesPerCall(Action operation, int calls)
    {
        operation();
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < calls; i++) operation();
        return (GC.GetAllocatedBytesForCurrentThread() - before) / (double)calls;
    }

    public AllocationVerdict Judge(string operation, double baselineBytesPerCall, Action candidate, int calls)
    {
        var measured = BytesPerCall(candidate, calls);
        var regression = measured > baselineBytesPerCall * tolerance + slackBytes;
        if (regression)
        {
            alerts.Raise("allocation-regression", operation, $"{measured:0} B per call against a baseline of {baselineBytesPerCall:0} B");
        }

        return new AllocationVerdict(operation, baselineBytesPerCall, measured, regression);
    }
}

/// <summary>
/// The GC tuning knob the platform applies at run time: the latency mode. SustainedLowLatency
/// avoids blocking full collections while latency matters; the benchmark measures its effect on
/// p99 against the default (and server against workstation GC, a start-time setting).
/// </summary>
public static class GcTuning
{
    public static IDisposable Use(GCLatencyMode mode)
    {
        var previous = GCSettings.LatencyMode;
        GCSettings.LatencyMode = mode;
        return new Restore(previous);
    }

    private sealed class Restore(GCLatencyMode previous) : IDisposable
    {
        public void Dispose() => GCSettings.LatencyMode = previous;
    }
}
