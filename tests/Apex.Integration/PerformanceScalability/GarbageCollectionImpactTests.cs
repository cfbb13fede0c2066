using System.Text.Json;
using Apex.Integration.Infrastructure;
using Apex.Platform.Performance;
using Apex.Platform.Performance.Gc;
using Microsoft.Extensions.Logging.Abstractions;

namespace Apex.Integration.PerformanceScalability;

/// <summary>
/// Plan item 85: GC pauses are measured during an allocating load from the runtime's own GC events
/// (suspend to restart); an operation that regresses to allocating heavily is detected by its
/// bytes per call (exact per thread, so independent of the machine's load) and causes more
/// collections than its baseline. The effect of server vs workstation GC and of the latency mode
/// on p99 latency is the benchmark's (GcLatencyBenchmarks), in the note.
/// </summary>
[PlanItem(85)]
[Collection(RuntimeMeasurementCollection.Name)]
[BusinessValue("All tiers", "Consistent response times",
    "Performance worth $7K MRR consistent latency", "A change that multiplies allocation is caught before it shows up as latency spikes")]
public sealed class GarbageCollectionImpactTests
{
    private const int Calls = 2_000;
    private static readonly Order Sample = new(42, "ACME", [new("widget", 3, 9.99m), new("gadget", 1, 24.50m)]);
    private readonly PerformanceAlerts _alerts = new(NullLogger<PerformanceAlerts>.Instance, TimeProvider.System);

    [Fact]
    public async Task Monitor_MeasuresPausesByGeneration_DuringAnAllocatingLoad()
    {
        using var monitor = new GcPauseMonitor();

        // Load until the GC steps in by itself (bounded: at most ~2 GB allocated; the gen0 budget
        // depends on what ran before in this process), then one full collection.
        var before = GC.CollectionCount(0);
        for (var i = 0; i < 200_000 && GC.CollectionCount(0) == before; i++) _ = Regressed(Sample);
        var induced = GC.CollectionCount(0) - before;
        GC.Collect(2, GCCollectionMode.Forced, blocking: true);
        await Eventually.TrueAsync(() => Task.FromResult(
            monitor.Collections(2) >= 1 && monitor.Collections(0) + monitor.Collections(1) + monitor.Collections(2) >= 2 && monitor.Pauses.Count >= 2));

        Assert.True(induced >= 1);

        TestContext.Current.TestOutputHelper?.WriteLine(
            $"gen0 {monitor.Collections(0)}, gen1 {monitor.Collections(1)}, gen2 {monitor.Collections(2)}; pauses p50 {monitor.Percentile(0.5).TotalMilliseconds:0.00} ms, p99 {monitor.Percentile(0.99).TotalMilliseconds:0.00} ms");
        Assert.All(monitor.Pauses, pause => Assert.True(pause >= TimeSpan.Zero));
        Assert.True(monitor.Percentile(1.0) >= monitor.Percentile(0.5));
    }

    [Fact]
    public void Judge_FlagsTheHeavyAllocator_AndNotTheBaseline()
    {
        var profiler = new AllocationProfiler(_alerts);
        var baseline = AllocationProfiler.BytesPerCall(() => Serialize(Sample), Calls);

        var same = profiler.Judge("order-serialize", baseline, () => Serialize(Sample), Calls);
        var regressed = profiler.Judge("order-serialize", baseline, () => Regressed(Sample), Calls);

        Assert.False(same.IsRegression, $"{same.BytesPerCall:0} B vs {baseline:0} B");
        Assert.True(regressed.IsRegression);
        Assert.True(regressed.BytesPerCall > 20 * baseline);
        Assert.Equal("allocation-regression", Assert.Single(_alerts.Raised).Kind);
    }

    [Fact]
    public void HeavyAllocator_CausesMoreCollections_ThanItsBaseline()
    {
        var baselineCollections = CollectionsDuring(() => Serialize(Sample));
        var regressedCollections = CollectionsDuring(() => Regressed(Sample));

        Assert.True(regressedCollections > baselineCollections, $"{regressedCollections} vs {baselineCollections}");
    }

    private static int CollectionsDuring(Action operation)
    {
        var before = GC.CollectionCount(0);
        for (var i = 0; i < Calls * 5; i++) operation();
        return GC.CollectionCount(0) - before;
    }

    private static byte[] Serialize(Order order) => JsonSerializer.SerializeToUtf8Bytes(order);

    // The regression: the order rendered into a text report line by line for every call, a copy
    // per line, before being serialised — 50 times the bytes for the same result.
    private static byte[] Regressed(Order order)
    {
        var text = System.Text.Encoding.UTF8.GetString(Serialize(order));
        var report = string.Concat(Enumerable.Repeat(text, 50));
        return System.Text.Encoding.UTF8.GetBytes(report[..text.Length]);
    }

    private sealed record Order(int Id, string Customer, IReadOnlyList<Line> Lines);

    private sealed record Line(string Sku, int Quantity, decimal Price);
}
