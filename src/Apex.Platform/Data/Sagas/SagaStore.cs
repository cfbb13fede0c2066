using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace Apex.Platform.Data.Sagas;

/// <summary>
/// Saga runs in PostgreSQL. Each run carries a lease: the process driving it renews it with every
/// step; a run whose lease ran out belongs to a process that died, and recovery may claim it.
/// </summary>
public sealed class SagaStore(NpgsqlDataSource dataSource)
{
    public const string Schema = """
        CREATE TABLE IF NOT EXISTS saga_runs (
            id uuid PRIMARY KEY,
            saga text NOT NULL,
            status text NOT NULL,
            completed_steps int NOT NULL,
            data jsonb NOT NULL,
            error text,
            lease_until timestamptz NOT NULL,
            updated_at timestamptz NOT NULL)
        """;

    public async Task SaveAsync(SagaRun run, DateTimeOffset now, DateTimeOffset leaseUntil, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""
            INSERT INTO saga_runs (id, saga, status, completed_steps, data, error, lease_until, updated_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
            ON CONFLICT (id) DO UPDATE SET status = $3, completed_steps = $4, data = $5, error = $6, lease_until = $7, updated_at = $8
            """);
        foreach (var value in new object?[] { run.Id, run.Saga, run.Status.ToString(), run.CompletedSteps })
        {
            command.Parameters.Add(new() { Value = value });
        }

        command.Parameters.Add(new() { Value = JsonSerializer.Serialize(run.Data), NpgsqlDbType = NpgsqlDbType.Jsonb });
        command.Parameters.Add(new() { Value = (object?)run.Error ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new() { Value = leaseUntil });
        command.Parameters.Add(new() { Value = now });
        await command.ExecuteNonQueryAsync(ct);
    }

    public async Task<SagaRun?> FindAsync(Guid id, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("SELECT id, saga, status, completed_steps, data::text, error FROM saga_runs WHERE id = $1");
        command.Parameters.Add(new() { Value = id });
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? Read(reader) : null;
    }

    /// <summary>Claims unfinished runs whose lease expired (their process died), each by one recoverer only.</summary>
    public async Task<IReadOnlyList<SagaRun>> ClaimAbandonedAsync(DateTimeOffset now, DateTimeOffset leaseUntil, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""
            UPDATE saga_runs SET lease_until = $2, updated_at = $1
            WHERE id IN (SELECT id FROM saga_runs WHERE status IN ('Running', 'Compensating') AND lease_until < $1 FOR UPDATE SKIP LOCKED)
            RETURNING id, saga, status, completed_steps, data::text, error
            """);
        command.Parameters.Add(new() { Value = now });
        command.Parameters.Add(new() { Value = leaseUntil });
        await using var reader = await command.ExecuteReaderAsync(ct);
        var runs = new List<SagaRun>();
        while (await reader.ReadAsync(ct)) runs.Add(Read(reader));
        return runs;
    }

    private static SagaRun Read(NpgsqlDataReader reader) => new(reader.GetGuid(0), reader.GetString(1), Enum.Parse<SagaStatus>(reader.GetString(2)),
        reader.GetInt32(3), JsonSerializer.Deserialize<Dictionary<string, string>>(reader.GetString(4))!, reader.IsDBNull(5) ? null : reader.GetString(5));
}
