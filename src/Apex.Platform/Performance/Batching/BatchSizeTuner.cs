namespace Apex.Platform.Performance.Batching;

/// <summary>
/// Finds the batch size with the best throughput by measuring: each candidate size processes the
/// same sample, timed with the platform's clock, and the size with the most items per second wins.
/// A bigger batch saves per-batch overhead until the batch itself gets expensive (locks held
/// longer, bigger transactions, memory), so the best size is found, not assumed.
/// </summary>
public sealed class BatchSizeTuner(TimeProvider time)
{
    public async Task<BatchSizeChoice> FindBestAsync<T>(IReadOnlyList<int> candidates, IReadOnlyList<T> sample,
        Func<IReadOnlyList<T>, CancellationToken, Task> process, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfZero(candidates.Count);
        var measured = new List<BatchSizeMeasurement>();
        foreach (var size in candidates)
        {
            var started = time.GetTimestamp();
            foreach (var chunk in sample.Chunk(size)) await process(chunk, cancellationToken);
            var elapsed = time.GetElapsedTime(started);
            measured.Add(new BatchSizeMeasurement(size, elapsed, elapsed > TimeSpan.Zero ? sample.Count / elapsed.TotalSeconds : double.PositiveInfinity));
        }

        return new BatchSizeChoice(measured.MaxBy(m => m.ItemsPerSecond)!.BatchSize, measured);
    }
}

public sealed record BatchSizeMeasurement(int BatchSize, TimeSpan Elapsed, double ItemsPerSecond);

public sealed record BatchSizeChoice(int BestBatchSize, IReadOnlyList<BatchSizeMeasurement> Measurements);
