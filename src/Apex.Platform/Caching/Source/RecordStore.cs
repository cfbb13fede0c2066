using Npgsql;

namespace Apex.Platform.Caching.Source;

/// <summary>
/// The source of truth the caches front: versioned records in PostgreSQL. A write names the
/// version it read; a write against a newer version is refused with the current one, so two
/// writers never silently overwrite each other (optimistic concurrency).
/// </summary>
public sealed class RecordStore(NpgsqlDataSource dataSource, TimeProvider time)
{
    public const string Schema = """
        CREATE TABLE IF NOT EXISTS cache_records (
            key text PRIMARY KEY,
            version bigint NOT NULL,
            body text NOT NULL,
            priority int NOT NULL DEFAULT 0,
            updated_at timestamptz NOT NULL);
        """;

    /// <summary>Counts reads that reached PostgreSQL, so callers can see the cache being bypassed.</summary>
    public long Reads => Interlocked.Read(ref _reads);

    private long _reads;

    public async Task<Record?> FindAsync(string key, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _reads);
        await using var command = dataSource.CreateCommand("SELECT key, version, body, priority FROM cache_records WHERE key = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = key });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    /// <summary>Records whose key starts with <paramref name="prefix"/>, highest priority first.</summary>
    public async Task<List<Record>> ListAsync(string prefix, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT key, version, body, priority FROM cache_records WHERE starts_with(key, $1) ORDER BY priority DESC, key");
        command.Parameters.Add(new NpgsqlParameter { Value = prefix });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var records = new List<Record>();
        while (await reader.ReadAsync(cancellationToken)) records.Add(Read(reader));
        return records;
    }

    /// <summary>Creates the record (version 1) or replaces it, whatever its version; for seeding and imports.</summary>
    public async Task<Record> PutAsync(string key, string body, int priority = 0, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("""
            INSERT INTO cache_records (key, version, body, priority, updated_at) VALUES ($1, 1, $2, $3, $4)
            ON CONFLICT (key) DO UPDATE SET version = cache_records.version + 1, body = $2, priority = $3, updated_at = $4
            RETURNING key, version, body, priority
            """);
        foreach (var value in new object[] { key, body, priority, time.GetUtcNow() }) command.Parameters.Add(new NpgsqlParameter { Value = value });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return Read(reader);
    }

    /// <summary>Replaces the body only if the stored version is still <paramref name="expectedVersion"/>.</summary>
    public async Task<WriteResult> UpdateAsync(string key, long expectedVersion, string body, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("""
            UPDATE cache_records SET version = version + 1, body = $3, updated_at = $4
            WHERE key = $1 AND version = $2 RETURNING key, version, body, priority
            """);
        foreach (var value in new object[] { key, expectedVersion, body, time.GetUtcNow() }) command.Parameters.Add(new NpgsqlParameter { Value = value });
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            if (await reader.ReadAsync(cancellationToken)) return new WriteResult(true, Read(reader));
        }

        return new WriteResult(false, await FindAsync(key, cancellationToken));
    }

    private static Record Read(NpgsqlDataReader reader) => new(reader.GetString(0), reader.GetInt64(1), reader.GetString(2), reader.GetInt32(3));
}

public sealed record Record(string Key, long Version, string Body, int Priority);

/// <summary>The outcome of a versioned write: on a conflict, <see cref="Current"/> is what the writer must merge with.</summary>
public sealed record WriteResult(bool Written, Record? Current);
