namespace Apex.Platform.Performance.Memory;

/// <summary>
/// Runs a workload repeatedly, samples the reachable heap through the runtime's counters after
/// each round, and has the detector judge the series; a leak is raised as an alert naming the
/// component and its growth per iteration.
/// </summary>
public sealed class LeakWatch(RuntimeMemorySampler sampler, LeakDetector detector, PerformanceAlerts alerts)
{
    public async Task<LeakReport> WatchAsync(string component, Func<CancellationToken, Task> iteration, int rounds, int iterationsPerRound,
        CancellationToken cancellationToken)
    {
        var samples = new List<(int, long)> { (0, sampler.SampleReachableBytes()) };
        for (var round = 1; round <= rounds; round++)
        {
            for (var i = 0; i < iterationsPerRound; i++) await iteration(cancellationToken);
            samples.Add((round * iterationsPerRound, sampler.SampleReachableBytes()));
        }

        var report = detector.Analyze(component, samples);
        if (report.IsLeak)
        {
            alerts.Raise("memory-leak", component, $"grows {report.BytesPerIteration / 1024:0.0} KiB per iteration (R² {report.RSquared:0.00}, +{report.GrowthBytes / 1024 / 1024.0:0.0} MiB)");
        }

        return report;
    }
}
