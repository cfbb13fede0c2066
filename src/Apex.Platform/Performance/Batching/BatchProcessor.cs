namespace Apex.Platform.Performance.Batching;

/// <summary>How a bulk job is cut and run: items per batch, batches at once, attempts per batch.</summary>
public sealed record BatchOptions(int BatchSize, int Parallelism, int MaxAttempts = 3)
{
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(BatchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(Parallelism, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxAttempts, 1);
    }
}

/// <summary>One batch handed to a sink: its stable number (the same on every attempt) and its items.</summary>
public sealed record Batch<T>(int Number, IReadOnlyList<T> Items, int Attempt);

/// <summary>What a run did: batches, attempts, failures retried, batches given up on, and its elapsed time.</summary>
public sealed record BatchRunReport(int Items, int Batches, int Attempts, int Retried, IReadOnlyList<int> FailedBatches, TimeSpan Elapsed)
{
    public double ItemsPerSecond => Elapsed > TimeSpan.Zero ? Items / Elapsed.TotalSeconds : double.PositiveInfinity;
}

/// <summary>
/// Runs a bulk job in batches of a fixed size, <see cref="BatchOptions.Parallelism"/> batches at
/// once, retrying a failed batch as a whole. Exactly-once effect is the sink's half of the
/// contract: it applies a batch atomically and recognises a batch number it already applied
/// (<see cref="PostgresBatchSink"/> does both), so a retry after a failure — even one that struck
/// after the commit — never applies an item twice.
/// </summary>
public sealed class BatchProcessor(TimeProvider time)
{
    public async Task<BatchRunReport> RunAsync<T>(IReadOnlyList<T> items, BatchOptions options,
        Func<Batch<T>, CancellationToken, Task> sink, CancellationToken cancellationToken)
    {
        options.Validate();
        var started = time.GetTimestamp();
        var batches = items.Chunk(options.BatchSize).Select((chunk, number) => (number, chunk)).ToList();
        var attempts = 0;
        var retried = 0;
        var failed = new System.Collections.Concurrent.ConcurrentBag<int>();
        await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = options.Parallelism, CancellationToken = cancellationToken },
            async (batch, token) =>
            {
                var outcome = await RunOneAsync(new Batch<T>(batch.number, batch.chunk, 1), options.MaxAttempts, sink, token);
                Interlocked.Add(ref attempts, outcome.Attempts);
                Interlocked.Add(ref retried, outcome.Attempts - 1);
                if (!outcome.Done) failed.Add(batch.number);
            });
        return new BatchRunReport(items.Count, batches.Count, attempts, retried, failed.Order().ToList(), time.GetElapsedTime(started));
    }

    private static async Task<(bool Done, int Attempts)> RunOneAsync<T>(Batch<T> batch, int maxAttempts,
        Func<Batch<T>, CancellationToken, Task> sink, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await sink(batch with { Attempt = attempt }, cancellationToken);
                return (true, attempt);
            }
            catch (Exception) when (attempt < maxAttempts && !cancellationToken.IsCancellationRequested)
            {
                // The sink rolled the batch back (or committed it and will recognise it): try again.
            }
            catch (Exception) when (!cancellationToken.IsCancellationRequested)
            {
                return (false, attempt);
            }
        }
    }
}
