using Apex.Integration.Infrastructure;
using Apex.Platform.Performance.Batching;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Apex.Integration.PerformanceScalability;

/// <summary>
/// Plan item 82: a bulk job of 1,000 items in parallel batches into real PostgreSQL applies every
/// item exactly once although batches fail — before the commit, after the commit, and on every
/// attempt (the batch is reported and a rerun of the job completes it). The tuner picks the batch
/// size with the best measured throughput; the real figures per size are the benchmark's.
/// </summary>
[PlanItem(82)]
[BusinessValue("Pro and Enterprise", "Fast, correct bulk operations",
    "Throughput worth $7K MRR bulk operations", "Imports and bulk updates finish quickly and never apply an item twice")]
public sealed class BatchProcessingPerformanceTests(PostgresServer postgres)
{
    private const int Items = 1_000;
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task RunAsync_AppliesEveryItemExactlyOnce_WhenBatchesFailBeforeAndAfterCommit()
    {
        await using var dataSource = NpgsqlDataSource.Create(await postgres.CreateDatabaseAsync("item82"));
        var sink = new PostgresBatchSink(dataSource, "import-1");
        await sink.EnsureSchemaAsync(Cancel);
        await using (var table = dataSource.CreateCommand("CREATE TABLE imported (item_id int NOT NULL)")) await table.ExecuteNonQueryAsync(Cancel);
        var items = Enumerable.Range(1, Items).ToArray();
        var processor = new BatchProcessor(TimeProvider.System);
        var concurrency = new ConcurrencyProbe();

        var first = await processor.RunAsync(items, new BatchOptions(BatchSize: 50, Parallelism: 4), (batch, token) =>
            concurrency.RunAsync(() => sink.ApplyAsync(batch, (c, t, ids, ct) => InsertFailingAsync(c, t, ids, batch, ct), token,
                afterCommit: () => batch is { Number: 7, Attempt: 1 } ? throw new IOException("acknowledgement lost") : Task.CompletedTask)), Cancel);
        var rerun = await processor.RunAsync(items, new BatchOptions(BatchSize: 50, Parallelism: 4),
            (batch, token) => sink.ApplyAsync(batch, InsertAsync, token), Cancel);

        Assert.Equal((20, 24, 4), (first.Batches, first.Attempts, first.Retried));
        Assert.Equal([11], first.FailedBatches);
        Assert.Equal((20, 0), (rerun.Attempts, rerun.FailedBatches.Count));
        Assert.InRange(concurrency.Peak, 1, 4);
        Assert.Equal(items, await ImportedAsync(dataSource));
    }

    [Fact]
    public async Task FindBestAsync_PicksTheSizeWithTheBestMeasuredThroughput_WhenLargeBatchesGetExpensive()
    {
        var clock = new FakeTimeProvider();
        // A sink whose cost is 20 ms per round trip plus 1 ms per item, and 2 ms more per item
        // beyond 100 (a transaction that big starts to wait on locks): the optimum is 100.
        var tuner = new BatchSizeTuner(clock);

        var choice = await tuner.FindBestAsync([10, 50, 100, 200, 500], Enumerable.Range(0, 1_000).ToArray(), (batch, _) =>
        {
            clock.Advance(TimeSpan.FromMilliseconds(20 + batch.Count + Math.Max(0, batch.Count - 100) * 2));
            return Task.CompletedTask;
        }, Cancel);

        Assert.Equal(100, choice.BestBatchSize);
        Assert.Equal(TimeSpan.FromMilliseconds(3_000), choice.Measurements.Single(m => m.BatchSize == 10).Elapsed);
        Assert.Equal(TimeSpan.FromMilliseconds(1_200), choice.Measurements.Single(m => m.BatchSize == 100).Elapsed);
    }

    // Batch 3 fails half-way on its first attempt (the transaction rolls back); batch 11 fails on every attempt.
    private static async Task InsertFailingAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<int> ids, Batch<int> batch, CancellationToken token)
    {
        await InsertAsync(connection, transaction, ids, token);
        if (batch is { Number: 3, Attempt: 1 } or { Number: 11 }) throw new InvalidOperationException($"batch {batch.Number} failed (attempt {batch.Attempt})");
    }

    private static async Task InsertAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<int> ids, CancellationToken token)
    {
        await using var insert = new NpgsqlCommand("INSERT INTO imported (item_id) SELECT unnest(@ids)", connection, transaction);
        insert.Parameters.AddWithValue("ids", ids.ToArray());
        await insert.ExecuteNonQueryAsync(token);
    }

    private static async Task<int[]> ImportedAsync(NpgsqlDataSource dataSource)
    {
        var imported = new List<int>();
        await using var command = dataSource.CreateCommand("SELECT item_id FROM imported ORDER BY item_id");
        await using var reader = await command.ExecuteReaderAsync(Cancel);
        while (await reader.ReadAsync(Cancel)) imported.Add(reader.GetInt32(0));
        return [.. imported];
    }

    private sealed class ConcurrencyProbe
    {
        private int _now;
        private int _peak;

        public int Peak => Volatile.Read(ref _peak);

        public async Task RunAsync(Func<Task> work)
        {
            var now = Interlocked.Increment(ref _now);
            int seen;
            while (now > (seen = Volatile.Read(ref _peak)) && Interlocked.CompareExchange(ref _peak, now, seen) != seen)
            {
            }

            try
            {
                await work();
            }
            finally
            {
                Interlocked.Decrement(ref _now);
            }
        }
    }
}
