using Apex.Platform.Performance.Batching;
using Npgsql;

namespace Apex.Platform.Benchmarks;

/// <summary>
/// Item 82: the best batch size for inserting 20,000 rows into PostgreSQL, found by the
/// platform's BatchSizeTuner on the real clock. batch-size &lt;postgres connection&gt;
/// </summary>
public static class BatchSizeCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        await using var dataSource = NpgsqlDataSource.Create(args[0]);
        await using (var create = dataSource.CreateCommand("DROP TABLE IF EXISTS bench_items; CREATE TABLE bench_items (item_id int NOT NULL, body text NOT NULL)"))
        {
            await create.ExecuteNonQueryAsync();
        }

        var items = Enumerable.Range(0, 20_000).ToArray();
        var tuner = new BatchSizeTuner(TimeProvider.System);
        var choice = await tuner.FindBestAsync([1, 10, 50, 100, 500, 1000, 5000], items, async (batch, token) =>
        {
            await using var insert = dataSource.CreateCommand("INSERT INTO bench_items (item_id, body) SELECT i, 'item ' || i FROM unnest(@ids) AS i");
            insert.Parameters.AddWithValue("ids", batch.ToArray());
            await insert.ExecuteNonQueryAsync(token);
        }, CancellationToken.None);
        foreach (var m in choice.Measurements) Console.WriteLine($"batch-size {m.BatchSize,5}: {m.Elapsed.TotalMilliseconds,8:0} ms, {m.ItemsPerSecond,9:0} items/s");
        Console.WriteLine($"best batch size: {choice.BestBatchSize}");
        return 0;
    }
}
