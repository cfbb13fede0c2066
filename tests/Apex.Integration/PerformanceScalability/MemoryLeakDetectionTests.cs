using Apex.Integration.Infrastructure;
using Apex.Platform.Performance;
using Apex.Platform.Performance.Memory;
using Microsoft.Extensions.Logging.Abstractions;

namespace Apex.Integration.PerformanceScalability;

/// <summary>
/// Plan item 79: a repeated workload is sampled through the runtime's own counters (the
/// System.Runtime meter's heap size after a full collection). A notification hub whose callers
/// never dispose their subscriptions grows by what each subscription holds; the detector reports
/// it by its slope and raises an alert. The same workload that disposes is not flagged.
/// </summary>
[PlanItem(79)]
[Collection(RuntimeMeasurementCollection.Name)]
[BusinessValue("All tiers", "Long-running stability",
    "Stability worth $8K MRR long-term reliability", "Leaks are caught by their growth before they take an instance down")]
public sealed class MemoryLeakDetectionTests : IDisposable
{
    private const int Rounds = 12;
    private const int IterationsPerRound = 5;
    // Large enough that the leak stands out from the rest of a whole test run's process, whose
    // reachable heap drifted by up to ±50 KiB per iteration while other classes' hosts wound down.
    private const int HeldBytes = 1024 * 1024;
    private readonly RuntimeMemorySampler _sampler = new();
    private readonly PerformanceAlerts _alerts = new(NullLogger<PerformanceAlerts>.Instance, TimeProvider.System);

    private LeakWatch Watch => new(_sampler, new LeakDetector(bytesPerIterationThreshold: HeldBytes / 8), _alerts);

    [Fact]
    public async Task WatchAsync_ReportsTheLeakAndAlerts_WhenSubscriptionsAreNeverDisposed()
    {
        var hub = new NotificationHub();

        var report = await Watch.WatchAsync("notification-hub", _ => Task.FromResult(hub.Subscribe(new Listener(HeldBytes))),
            Rounds, IterationsPerRound, TestContext.Current.CancellationToken);

        TestContext.Current.TestOutputHelper?.WriteLine($"{report}");
        Assert.True(report.IsLeak);
        Assert.InRange(report.BytesPerIteration, HeldBytes * 0.8, HeldBytes * 2.0);
        Assert.Equal("notification-hub", Assert.Single(_alerts.Raised, a => a.Kind == "memory-leak").Component);
        GC.KeepAlive(hub);
    }

    [Fact]
    public async Task WatchAsync_DoesNotFlag_WhenTheSameWorkloadDisposesItsSubscriptions()
    {
        var hub = new NotificationHub();

        var report = await Watch.WatchAsync("notification-hub", _ =>
        {
            using (hub.Subscribe(new Listener(HeldBytes))) hub.Publish("tick");
            return Task.CompletedTask;
        }, Rounds, IterationsPerRound, TestContext.Current.CancellationToken);

        TestContext.Current.TestOutputHelper?.WriteLine($"{report}");
        Assert.False(report.IsLeak);
        Assert.Empty(_alerts.Raised);
        Assert.Equal(0, hub.Count);
    }

    [Fact]
    public void Sampler_ReadsTheHeapFromTheRuntimeCounters()
    {
        var empty = _sampler.SampleReachableBytes();
        var held = new byte[8 * 1024 * 1024];
        var holding = _sampler.SampleReachableBytes();

        Assert.InRange(holding - empty, held.Length * 0.9, held.Length * 1.5);
        GC.KeepAlive(held);
    }

    public void Dispose() => _sampler.Dispose();

    // The component under watch: subscribers hold state (a buffer) until their subscription is disposed.
    private sealed class NotificationHub
    {
        private readonly List<Listener> _listeners = [];

        public int Count
        {
            get { lock (_listeners) return _listeners.Count; }
        }

        public IDisposable Subscribe(Listener listener)
        {
            lock (_listeners) _listeners.Add(listener);
            return new Subscription(() => { lock (_listeners) _listeners.Remove(listener); });
        }

        public void Publish(string message)
        {
            lock (_listeners) foreach (var listener in _listeners) listener.Last = message;
        }
    }

    private sealed class Listener(int bytes)
    {
        public byte[] State { get; } = new byte[bytes];

        public string? Last { get; set; }
    }

    private sealed class Subscription(Action dispose) : IDisposable
    {
        public void Dispose() => dispose();
    }
}
