using Npgsql;

namespace Apex.Platform.Performance.Batching;

/// <summary>
/// Applies a batch in one PostgreSQL transaction together with a ledger row for (job, batch
/// number). The ledger's primary key makes a second application of the same batch a no-op: a
/// retry after a failure before the commit redoes the work, one after the commit skips it.
/// </summary>
public sealed class PostgresBatchSink(NpgsqlDataSource dataSource, string jobId)
{
    public const string Schema = """
        CREATE TABLE IF NOT EXISTS perf_batch_ledger (
            job_id text NOT NULL,
            batch_number int NOT NULL,
            items int NOT NULL,
            applied_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (job_id, batch_number));
        """;

    public async Task EnsureSchemaAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(Schema);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="apply"/> for the batch inside the transaction that records it; returns
    /// false when the batch had been applied already. <paramref name="afterCommit"/> runs after the
    /// commit (acknowledging upstream, say) and may fail without undoing anything.
    /// </summary>
    public async Task<bool> ApplyAsync<T>(Batch<T> batch, Func<NpgsqlConnection, NpgsqlTransaction, IReadOnlyList<T>, CancellationToken, Task> apply,
        CancellationToken cancellationToken, Func<Task>? afterCommit = null)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var claim = new NpgsqlCommand(
            "INSERT INTO perf_batch_ledger (job_id, batch_number, items) VALUES (@job, @batch, @items) ON CONFLICT DO NOTHING", connection, transaction))
        {
            claim.Parameters.AddWithValue("job", jobId);
            claim.Parameters.AddWithValue("batch", batch.Number);
            claim.Parameters.AddWithValue("items", batch.Items.Count);
            if (await claim.ExecuteNonQueryAsync(cancellationToken) == 0) return false;
        }

        await apply(connection, transaction, batch.Items, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        if (afterCommit is not null) await afterCommit();
        return true;
    }
}
