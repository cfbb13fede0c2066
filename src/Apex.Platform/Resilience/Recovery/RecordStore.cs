using Apex.Platform.Caching;
using Npgsql;
using StackExchange.Redis;

namespace Apex.Platform.Resilience.Recovery;

/// <summary>
/// Acknowledged data in both stores: a record is answered 201 only after PostgreSQL committed it
/// and Redis applied it, so "acknowledged before the outage, present after it" can be checked.
/// </summary>
public sealed class RecordStore(NpgsqlDataSource database, IConnectionMultiplexer redis, RedisKeys keys)
{
    public const string Schema = "CREATE TABLE IF NOT EXISTS resilience_records (key text PRIMARY KEY, value text NOT NULL);";

    public async Task WriteAsync(string key, string value, CancellationToken cancellationToken)
    {
        await using (var upsert = database.CreateCommand("INSERT INTO resilience_records (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value"))
        {
            upsert.Parameters.AddWithValue(key);
            upsert.Parameters.AddWithValue(value);
            await upsert.ExecuteNonQueryAsync(cancellationToken);
        }

        await redis.GetDatabase().StringSetAsync(keys.Key($"record:{key}"), value);
    }

    public async Task<string?> ReadAsync(string key, string store, CancellationToken cancellationToken)
    {
        if (store == "redis") return await redis.GetDatabase().StringGetAsync(keys.Key($"record:{key}")) is { HasValue: true } cached ? cached.ToString() : null;
        await using var query = database.CreateCommand("SELECT value FROM resilience_records WHERE key = $1");
        query.Parameters.AddWithValue(key);
        return await query.ExecuteScalarAsync(cancellationToken) as string;
    }
}
