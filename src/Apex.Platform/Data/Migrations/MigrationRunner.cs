using Npgsql;

namespace Apex.Platform.Data.Migrations;

/// <summary>
/// Applies ordered, checksummed migrations under a PostgreSQL session advisory lock: of several
/// instances starting at once, one migrates and the others wait, then find nothing left to do.
/// Each migration runs in its own transaction (PostgreSQL's DDL is transactional), so a failing
/// one leaves no half-made change and no history row behind.
/// </summary>
public sealed class MigrationRunner(NpgsqlDataSource dataSource, TimeProvider time)
{
    // Distinct from the SchemaInitializer's key: the two never wait on each other.
    private const long LockKey = 0x41504558_4D494752; // "APEXMIGR"

    private const string HistoryDdl = """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            version integer PRIMARY KEY,
            name text NOT NULL,
            checksum text NOT NULL,
            applied_at timestamptz NOT NULL)
        """;

    public async Task<MigrationReport> MigrateAsync(IReadOnlyList<Migration> migrations, CancellationToken ct)
    {
        var ordered = Validate(migrations);
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var waited = await LockAsync(connection, ct);
        try
        {
            var applied = await AppliedAsync(connection, ct);
            var pending = Plan(ordered, applied);
            foreach (var migration in pending) await ApplyAsync(connection, migration, ct);
            return new MigrationReport([.. pending.Select(m => m.Version)], [.. applied.Keys.Order()], waited);
        }
        finally
        {
            await UnlockAsync(connection);
        }
    }

    /// <summary>Undoes every applied migration above <paramref name="targetVersion"/>, newest first, each with its down script.</summary>
    public async Task<IReadOnlyList<int>> RollbackAsync(IReadOnlyList<Migration> migrations, int targetVersion, CancellationToken ct)
    {
        var known = Validate(migrations).ToDictionary(m => m.Version);
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await LockAsync(connection, ct);
        try
        {
            var toUndo = (await AppliedAsync(connection, ct)).Keys.Where(v => v > targetVersion).OrderDescending().ToList();
            var missing = toUndo.FirstOrDefault(v => !known.TryGetValue(v, out var m) || m.Down is null);
            if (missing != 0)
            {
                throw new MigrationException($"Cannot roll back to version {targetVersion}: migration {missing} has no down script. Nothing was rolled back.");
            }

            foreach (var version in toUndo) await UndoAsync(connection, known[version], ct);
            return toUndo;
        }
        finally
        {
            await UnlockAsync(connection);
        }
    }

    private static List<Migration> Validate(IReadOnlyList<Migration> migrations)
    {
        var duplicate = migrations.GroupBy(m => m.Version).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new MigrationException($"Migration version {duplicate.Key} is used twice ({string.Join(", ", duplicate.Select(m => m.Name))}).");
        }

        return [.. migrations.Where(m => m.Version > 0 ? true : throw new MigrationException($"Migration '{m.Name}' has version {m.Version}; versions start at 1.")).OrderBy(m => m.Version)];
    }

    /// <summary>The migrations still to apply, after refusing a database this build cannot safely move forward.</summary>
    private static List<Migration> Plan(List<Migration> ordered, Dictionary<int, string> applied)
    {
        foreach (var (version, checksum) in applied.OrderBy(a => a.Key))
        {
            var migration = ordered.FirstOrDefault(m => m.Version == version) ?? throw new MigrationException(
                $"The database has migration {version} applied, which this build does not know; it was deployed by a newer build. Refusing to migrate.");
            if (migration.Checksum != checksum)
            {
                throw new MigrationException(
                    $"Migration {version} ({migration.Name}) was changed after it was applied: checksum {checksum[..12]}… recorded, {migration.Checksum[..12]}… now. Add a new migration instead of editing an applied one.");
            }
        }

        var latest = applied.Count == 0 ? 0 : applied.Keys.Max();
        var pending = ordered.Where(m => !applied.ContainsKey(m.Version)).ToList();
        var early = pending.FirstOrDefault(m => m.Version < latest);
        return early is null ? pending : throw new MigrationException(
            $"Migration {early.Version} ({early.Name}) sorts before the applied migration {latest}; it would run out of order. Renumber it after {latest}.");
    }

    private async Task<TimeSpan> LockAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        var started = time.GetTimestamp();
        await using (var lockCommand = new NpgsqlCommand($"SELECT pg_advisory_lock({LockKey})", connection))
        {
            await lockCommand.ExecuteNonQueryAsync(ct);
        }

        await using var history = new NpgsqlCommand(HistoryDdl, connection);
        await history.ExecuteNonQueryAsync(ct);
        return time.GetElapsedTime(started);
    }

    private static async Task UnlockAsync(NpgsqlConnection connection)
    {
        // A broken connection has released its session lock already; nothing else to do then.
        if (connection.State != System.Data.ConnectionState.Open) return;
        await using var unlock = new NpgsqlCommand($"SELECT pg_advisory_unlock({LockKey})", connection);
        await unlock.ExecuteNonQueryAsync(CancellationToken.None);
    }

    private static async Task<Dictionary<int, string>> AppliedAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("SELECT version, checksum FROM schema_migrations", connection);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var applied = new Dictionary<int, string>();
        while (await reader.ReadAsync(ct)) applied[reader.GetInt32(0)] = reader.GetString(1);
        return applied;
    }

    private async Task ApplyAsync(NpgsqlConnection connection, Migration migration, CancellationToken ct)
    {
        await using var transaction = await connection.BeginTransactionAsync(ct);
        try
        {
            await using (var up = new NpgsqlCommand(migration.Up, connection, transaction)) await up.ExecuteNonQueryAsync(ct);
            await using var record = new NpgsqlCommand(
                "INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES ($1, $2, $3, $4)", connection, transaction);
            record.Parameters.Add(new() { Value = migration.Version });
            record.Parameters.Add(new() { Value = migration.Name });
            record.Parameters.Add(new() { Value = migration.Checksum });
            record.Parameters.Add(new() { Value = time.GetUtcNow() });
            await record.ExecuteNonQueryAsync(ct);
            await transaction.CommitAsync(ct);
        }
        catch (PostgresException e)
        {
            await transaction.RollbackAsync(CancellationToken.None);
            throw new MigrationException($"Migration {migration.Version} ({migration.Name}) failed and was rolled back whole: {e.MessageText}", e);
        }
    }

    private static async Task UndoAsync(NpgsqlConnection connection, Migration migration, CancellationToken ct)
    {
        await using var transaction = await connection.BeginTransactionAsync(ct);
        try
        {
            await using (var down = new NpgsqlCommand(migration.Down, connection, transaction)) await down.ExecuteNonQueryAsync(ct);
            await using var forget = new NpgsqlCommand("DELETE FROM schema_migrations WHERE version = $1", connection, transaction);
            forget.Parameters.Add(new() { Value = migration.Version });
            await forget.ExecuteNonQueryAsync(ct);
            await transaction.CommitAsync(ct);
        }
        catch (PostgresException e)
        {
            await transaction.RollbackAsync(CancellationToken.None);
            throw new MigrationException($"Rolling back migration {migration.Version} ({migration.Name}) failed; it stays applied: {e.MessageText}", e);
        }
    }
}
