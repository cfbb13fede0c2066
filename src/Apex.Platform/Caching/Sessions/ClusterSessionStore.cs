using StackExchange.Redis;

namespace Apex.Platform.Caching.Sessions;

/// <summary>
/// Session state as one Redis hash per session, spread over the slots of a Redis Cluster.
/// StackExchange.Redis follows MOVED and ASK redirections, so sessions stay readable and writable
/// while their slots move between nodes (<see cref="SlotMigrator"/>).
/// </summary>
public sealed class ClusterSessionStore(IConnectionMultiplexer redis, RedisKeys keys, TimeProvider time)
{
    public Task CreateAsync(string sessionId, string userId) =>
        redis.GetDatabase().HashSetAsync(Key(sessionId), [new("user", userId), new("created", time.GetUtcNow().ToUnixTimeMilliseconds()), new("hits", 0)]);

    /// <summary>Records one request of the session; returns its request count.</summary>
    public Task<long> TouchAsync(string sessionId) => redis.GetDatabase().HashIncrementAsync(Key(sessionId), "hits");

    public async Task<SessionState?> GetAsync(string sessionId)
    {
        var fields = await redis.GetDatabase().HashGetAsync(Key(sessionId), ["user", "hits"]);
        return fields[0].IsNull ? null : new SessionState(sessionId, fields[0]!, (long)fields[1]);
    }

    /// <summary>The validator: the ids of sessions that cannot be read (lost), empty when all are there.</summary>
    public async Task<IReadOnlyList<string>> MissingAsync(IEnumerable<string> sessionIds)
    {
        var missing = new List<string>();
        foreach (var id in sessionIds)
        {
            if (!await redis.GetDatabase().KeyExistsAsync(Key(id))) missing.Add(id);
        }

        return missing;
    }

    public RedisKey Key(string sessionId) => keys.Key("session:" + sessionId);
}

public sealed record SessionState(string SessionId, string UserId, long Hits);
