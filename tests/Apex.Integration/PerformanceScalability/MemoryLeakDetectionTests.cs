using Apex.Integration.Infrastructure;
using Apex.Platform.Performance;
using Apex.Platform.Performance.Memory;
using Microsoft.Extensions.Logging.Abstractions;

namespace Apex.Integration.PerformanceScalability;

/// <summary>
/// Plan item 79: a repeated workload runs in a child process of its own and is sampled from the
/// outside through its runtime (EventPipe: a full blocking collection, then the GC's own heap
/// statistics). A notification hub whose callers never dispose their subscriptions grows by what
/// each subscription holds; the detector reports it by its slope and raises an alert. The same
/// workload that disposes is not flagged. The test host's own heap — shared with every other
/// class of the run — is in neither figure.
/// </summary>
[PlanItem(79)]
[BusinessValue("All tiers", "Long-running stability",
    "Stability worth $8K MRR long-term reliability", "Leaks are caught by their growth before they take an instance down")]
public sealed class MemoryLeakDetectionTests
{
    private const int Rounds = 10;
    private const int IterationsPerRound = 5;
    private const int HeldBytes = 256 * 1024;
    private readonly PerformanceAlerts _alerts = new(NullLogger<PerformanceAlerts>.Instance, TimeProvider.System);

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private LeakWatch WatchOf(LeakWorkloadProcess workload) =>
        new(new ProcessHeapSampler(workload.ProcessId), new LeakDetector(bytesPerIterationThreshold: HeldBytes / 8), _alerts);

    [Fact]
    public async Task WatchAsync_ReportsTheLeakAndAlerts_WhenSubscriptionsAreNeverDisposed()
    {
        await using var workload = await LeakWorkloadProcess.StartAsync(leak: true, HeldBytes, IterationsPerRound, Cancel);

        var report = await WatchOf(workload).WatchAsync("notification-hub", workload.RunRoundAsync, Rounds, Cancel);

        TestContext.Current.TestOutputHelper?.WriteLine($"{report}");
        Assert.Equal((Rounds + 1) * IterationsPerRound, workload.Listeners);
        Assert.True(report.IsLeak);
        Assert.InRange(report.BytesPerIteration, HeldBytes * 0.95, HeldBytes * 1.1);
        Assert.Equal("notification-hub", Assert.Single(_alerts.Raised, a => a.Kind == "memory-leak").Component);
    }

    [Fact]
    public async Task WatchAsync_DoesNotFlag_WhenTheSameWorkloadDisposesItsSubscriptions()
    {
        await using var workload = await LeakWorkloadProcess.StartAsync(leak: false, HeldBytes, IterationsPerRound, Cancel);

        var report = await WatchOf(workload).WatchAsync("notification-hub", workload.RunRoundAsync, Rounds, Cancel);

        TestContext.Current.TestOutputHelper?.WriteLine($"{report}");
        Assert.Equal(0, workload.Listeners);
        Assert.False(report.IsLeak);
        Assert.InRange(report.BytesPerIteration, -HeldBytes / 32.0, HeldBytes / 32.0);
        Assert.Empty(_alerts.Raised);
    }

    [Fact]
    public async Task Sampler_ReadsWhatTheWatchedProcessHolds_AfterAFullCollection()
    {
        await using var workload = await LeakWorkloadProcess.StartAsync(leak: true, HeldBytes, IterationsPerRound, Cancel);
        var sampler = new ProcessHeapSampler(workload.ProcessId);

        // The first sample and the first round pay one-time costs (the runtime setting up its event
        // sources for the first session; the workload's first messages); the measured round does not.
        await sampler.SampleReachableBytesAsync(Cancel);
        await workload.RunRoundAsync(Cancel);
        var before = await sampler.SampleReachableBytesAsync(Cancel);
        await workload.RunRoundAsync(Cancel);
        var after = await sampler.SampleReachableBytesAsync(Cancel);

        // One more round holds five more 256 KiB listeners, and nothing of this test host is counted.
        Assert.Equal(2 * IterationsPerRound, workload.Listeners);
        Assert.InRange(after - before, IterationsPerRound * HeldBytes * 0.95, IterationsPerRound * HeldBytes * 1.1);
    }
}
