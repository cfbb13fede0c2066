namespace Apex.Platform.Performance.Memory;

/// <summary>
/// Runs a workload round by round and samples the watched process's reachable heap through its
/// runtime after each round; the detector judges the series against the iterations run, and a
/// leak is raised as an alert naming the component and its growth per iteration. The workload
/// runs in the watched process and is sampled from outside it (<see cref="ProcessHeapSampler"/>),
/// so the figure is that process's alone, whatever the sampling process does meanwhile.
/// </summary>
public sealed class LeakWatch(ProcessHeapSampler sampler, LeakDetector detector, PerformanceAlerts alerts)
{
    /// <param name="component">What is watched, as the alert names it.</param>
    /// <param name="runRound">Runs one round of the workload and answers how many iterations have run in all.</param>
    /// <param name="rounds">How many rounds to judge, after one warm-up round.</param>
    /// <param name="cancellationToken">Stops the watch.</param>
    public async Task<LeakReport> WatchAsync(string component, Func<CancellationToken, Task<int>> runRound, int rounds,
        CancellationToken cancellationToken)
    {
        // The first session costs the watched runtime a one-time setup of its event sources, and a
        // workload's first round its own one-time costs (first calls, buffers, caches filling):
        // neither is growth, so both come before the baseline.
        await sampler.SampleReachableBytesAsync(cancellationToken);
        var warmedUp = await runRound(cancellationToken);
        var samples = new List<(int, long)> { (warmedUp, await sampler.SampleReachableBytesAsync(cancellationToken)) };
        for (var round = 1; round <= rounds; round++)
        {
            var iterations = await runRound(cancellationToken);
            samples.Add((iterations, await sampler.SampleReachableBytesAsync(cancellationToken)));
        }

        var report = detector.Analyze(component, samples);
        if (report.IsLeak)
        {
            alerts.Raise("memory-leak", component, $"grows {report.BytesPerIteration / 1024:0.0} KiB per iteration (R² {report.RSquared:0.00}, +{report.GrowthBytes / 1024 / 1024.0:0.0} MiB)");
        }

        return report;
    }
}
