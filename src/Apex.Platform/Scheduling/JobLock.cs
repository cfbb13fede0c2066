using Npgsql;

namespace Apex.Platform.Scheduling;

/// <summary>
/// One job's turn across instances: a session-level advisory lock on a connection held for the
/// whole run. PostgreSQL frees it when that session ends, so an instance that dies mid-run (process
/// killed, network gone) leaves no lock behind and no lease to expire. Under the lock the job's row
/// says which slot was finished last; the run log records who ran what, and how it ended.
/// </summary>
internal sealed class JobLock : IAsyncDisposable
{
    // The two-key form of the advisory lock (class, object) keeps jobs apart from the single-key locks elsewhere.
    private const int JobLockClass = 0x4A4F4253; // "JOBS"

    public const string Schema = """
        CREATE TABLE IF NOT EXISTS scheduled_jobs (
            name text PRIMARY KEY,
            last_slot timestamptz NOT NULL,
            updated_at timestamptz NOT NULL);
        CREATE TABLE IF NOT EXISTS scheduled_job_runs (
            id bigserial PRIMARY KEY,
            job text NOT NULL REFERENCES scheduled_jobs(name),
            slot timestamptz NOT NULL,
            instance text NOT NULL,
            started_at timestamptz NOT NULL,
            finished_at timestamptz,
            outcome text NOT NULL,
            error text);
        CREATE INDEX IF NOT EXISTS scheduled_job_runs_job ON scheduled_job_runs (job, slot);
        """;

    private readonly NpgsqlConnection _connection;
    private readonly string _job;

    private JobLock(NpgsqlConnection connection, string job) => (_connection, _job) = (connection, job);

    /// <summary>
    /// A job seen for the first time counts its current slot as done: a fresh deployment runs each
    /// job at its next boundary, not all at once as it starts.
    /// </summary>
    public static async Task RegisterAsync(NpgsqlDataSource dataSource, ScheduledJob job, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("INSERT INTO scheduled_jobs (name, last_slot, updated_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING");
        foreach (var value in new object[] { job.Name, job.Slot(now), now }) command.Parameters.Add(new NpgsqlParameter { Value = value });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The job's lock, or null when another instance holds it.</summary>
    public static async Task<JobLock?> TryTakeAsync(NpgsqlDataSource dataSource, string job, CancellationToken cancellationToken)
    {
        var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var taken = new JobLock(connection, job);
        if (await taken.ScalarAsync($"SELECT pg_try_advisory_lock({JobLockClass}, hashtext($1))", [job], cancellationToken) is true) return taken;
        await connection.DisposeAsync();
        return null;
    }

    public async Task<DateTimeOffset> LastSlotAsync(CancellationToken cancellationToken) =>
        new((DateTime)(await ScalarAsync("SELECT last_slot FROM scheduled_jobs WHERE name = $1", [_job], cancellationToken))!);

    /// <summary>
    /// Starts the run's record. Runs of this job still marked running were cut short (their instance
    /// died or stopped): whoever held the lock for them no longer does, since this one has it.
    /// </summary>
    public async Task<long> StartRunAsync(DateTimeOffset slot, string instance, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await ScalarAsync("UPDATE scheduled_job_runs SET outcome = 'abandoned' WHERE job = $1 AND outcome = 'running'", [_job], cancellationToken);
        return (long)(await ScalarAsync("""
            INSERT INTO scheduled_job_runs (job, slot, instance, started_at, outcome) VALUES ($1, $2, $3, $4, 'running') RETURNING id
            """, [_job, slot, instance, now], cancellationToken))!;
    }

    /// <summary>A run that ended: on success its slot is done; on failure the slot stays due.</summary>
    public async Task FinishRunAsync(long runId, DateTimeOffset slot, string? error, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (error is null) await ScalarAsync("UPDATE scheduled_jobs SET last_slot = $2, updated_at = $3 WHERE name = $1", [_job, slot, now], cancellationToken);
        await ScalarAsync("UPDATE scheduled_job_runs SET finished_at = $2, outcome = $3, error = $4 WHERE id = $1",
            [runId, now, error is null ? "succeeded" : "failed", error], cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await ScalarAsync($"SELECT pg_advisory_unlock({JobLockClass}, hashtext($1))", [_job], CancellationToken.None);
        }
        catch (Exception exception) when (exception is NpgsqlException or InvalidOperationException or ObjectDisposedException)
        {
            // The session is gone, and its lock with it.
        }

        await _connection.DisposeAsync();
    }

    private async Task<object?> ScalarAsync(string sql, object?[] values, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, _connection);
        foreach (var value in values) command.Parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value });
        return await command.ExecuteScalarAsync(cancellationToken);
    }
}
