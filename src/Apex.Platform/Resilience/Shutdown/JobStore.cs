using Npgsql;

namespace Apex.Platform.Resilience.Shutdown;

/// <summary>
/// The state saver: jobs of numbered units and each unit's effect in PostgreSQL. A unit's effect
/// and the job's cursor move in one transaction, so whatever stops the work — the kill switch, a
/// host shutting down, a crash — the saved cursor is exactly the next unit not yet applied.
/// </summary>
public sealed class JobStore(NpgsqlDataSource database)
{
    public const string Schema = """
        CREATE TABLE IF NOT EXISTS resilience_jobs (
            id uuid PRIMARY KEY,
            units int NOT NULL CHECK (units > 0),
            next_unit int NOT NULL DEFAULT 0,
            status text NOT NULL CHECK (status IN ('queued', 'running', 'suspended', 'done')),
            owner text);
        CREATE TABLE IF NOT EXISTS resilience_job_effects (
            job_id uuid NOT NULL REFERENCES resilience_jobs(id),
            unit int NOT NULL,
            applied int NOT NULL,
            PRIMARY KEY (job_id, unit));
        """;

    public async Task<Guid> SubmitAsync(int units, CancellationToken cancellationToken)
    {
        var id = Guid.NewGuid();
        await using var insert = database.CreateCommand("INSERT INTO resilience_jobs (id, units, status) VALUES ($1, $2, 'queued')");
        insert.Parameters.AddWithValue(id);
        insert.Parameters.AddWithValue(units);
        await insert.ExecuteNonQueryAsync(cancellationToken);
        return id;
    }

    /// <summary>Takes the oldest waiting job (queued or suspended) for this instance; none when there is none.</summary>
    public async Task<JobRow?> ClaimAsync(string owner, CancellationToken cancellationToken)
    {
        await using var claim = database.CreateCommand("""
            UPDATE resilience_jobs SET status = 'running', owner = $1
            WHERE id = (SELECT id FROM resilience_jobs WHERE status IN ('queued', 'suspended') ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)
            RETURNING id, units, next_unit
            """);
        claim.Parameters.AddWithValue(owner);
        await using var reader = await claim.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? new JobRow(reader.GetGuid(0), reader.GetInt32(1), reader.GetInt32(2)) : null;
    }

    /// <summary>Applies unit <paramref name="unit"/> and moves the cursor past it, atomically.</summary>
    public async Task ApplyAsync(JobRow job, int unit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var effect = new NpgsqlCommand("""
            INSERT INTO resilience_job_effects (job_id, unit, applied) VALUES ($1, $2, 1)
            ON CONFLICT (job_id, unit) DO UPDATE SET applied = resilience_job_effects.applied + 1
            """, connection, transaction))
        {
            effect.Parameters.AddWithValue(job.Id);
            effect.Parameters.AddWithValue(unit);
            await effect.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var cursor = new NpgsqlCommand(
            "UPDATE resilience_jobs SET next_unit = $2, status = CASE WHEN $2 >= units THEN 'done' ELSE status END WHERE id = $1", connection, transaction))
        {
            cursor.Parameters.AddWithValue(job.Id);
            cursor.Parameters.AddWithValue(unit + 1);
            await cursor.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>Saves a running job as suspended at its cursor, for any instance to resume.</summary>
    public async Task SuspendAsync(Guid job)
    {
        await using var update = database.CreateCommand("UPDATE resilience_jobs SET status = 'suspended', owner = NULL WHERE id = $1 AND status = 'running'");
        update.Parameters.AddWithValue(job);
        await update.ExecuteNonQueryAsync(CancellationToken.None);
    }

    public async Task<JobView?> FindAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var query = database.CreateCommand("""
            SELECT j.units, j.next_unit, j.status, COALESCE(array_agg(e.applied ORDER BY e.unit) FILTER (WHERE e.unit IS NOT NULL), '{}')
            FROM resilience_jobs j LEFT JOIN resilience_job_effects e ON e.job_id = j.id WHERE j.id = $1 GROUP BY j.id
            """);
        query.Parameters.AddWithValue(id);
        await using var reader = await query.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new JobView(id, reader.GetInt32(0), reader.GetInt32(1), reader.GetString(2), reader.GetFieldValue<int[]>(3))
            : null;
    }
}

public sealed record JobRow(Guid Id, int Units, int NextUnit);

/// <summary>A job as saved: its cursor, status, and how many times each applied unit was applied (1 each when nothing was done twice).</summary>
public sealed record JobView(Guid Id, int Units, int NextUnit, string Status, IReadOnlyList<int> AppliedCounts);
