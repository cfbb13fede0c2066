using System.Diagnostics;
using System.Runtime;
using System.Text.Json;
using Apex.Platform.Performance.Gc;

namespace Apex.Platform.Benchmarks;

/// <summary>
/// Item 85: latency percentiles of a request-like operation (serialise an order, keep a share of
/// the results alive as a cache would) under a given GC configuration, with the GC pauses seen by
/// the runtime's events. Server vs workstation GC is a process setting: run it with
/// DOTNET_gcServer=0 and =1 (run-bench.sh does). gc [Interactive|SustainedLowLatency|Batch] [requests]
/// </summary>
public static class GcLatencyCommand
{
    private sealed record Line(string Sku, int Quantity, decimal Price);

    private sealed record Order(int Id, string Customer, Line[] Lines);

    public static async Task<int> RunAsync(string[] args)
    {
        var mode = args.Length > 0 ? Enum.Parse<GCLatencyMode>(args[0]) : GCLatencyMode.Interactive;
        var requests = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 200_000;
        using var monitor = new GcPauseMonitor();
        using var tuning = GcTuning.Use(mode);
        var retained = new byte[4096][];
        var latencies = new double[requests];
        var order = new Order(1, "ACME", Enumerable.Range(0, 20).Select(i => new Line($"sku-{i}", i, i * 1.5m)).ToArray());
        for (var i = 0; i < requests; i++)
        {
            var started = Stopwatch.GetTimestamp();
            var bytes = JsonSerializer.SerializeToUtf8Bytes(order with { Id = i });
            retained[i % retained.Length] = bytes;
            latencies[i] = Stopwatch.GetElapsedTime(started).TotalMicroseconds;
        }

        await Task.Delay(500);
        Array.Sort(latencies);
        double P(double p) => latencies[Math.Min(latencies.Length - 1, (int)(p * latencies.Length))];
        Console.WriteLine($"gc server={GCSettings.IsServerGC} mode={GCSettings.LatencyMode}: p50 {P(0.5):0.0} µs, p99 {P(0.99):0.0} µs, p99.9 {P(0.999):0.0} µs, max {latencies[^1]:0} µs; " +
            $"GCs gen0/1/2 {monitor.Collections(0)}/{monitor.Collections(1)}/{monitor.Collections(2)}, pause p50 {monitor.Percentile(0.5).TotalMilliseconds:0.00} ms, p99 {monitor.Percentile(0.99).TotalMilliseconds:0.00} ms, max {monitor.Percentile(1).TotalMilliseconds:0.00} ms");
        GC.KeepAlive(retained);
        return 0;
    }
}
