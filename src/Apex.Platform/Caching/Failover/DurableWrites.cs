using StackExchange.Redis;

namespace Apex.Platform.Caching.Failover;

/// <summary>
/// A write that must survive the loss of the master: SET, then WAIT until the given number of
/// replicas acknowledged it. Fewer acknowledgements within the timeout is reported, not hidden:
/// the value is on the master only and a failover may lose it.
/// </summary>
public sealed class DurableWrites(IConnectionMultiplexer redis, RedisKeys keys)
{
    public async Task<DurableWrite> SetAsync(string key, string value, int replicas, TimeSpan timeout)
    {
        var database = redis.GetDatabase();
        await database.StringSetAsync(keys.Key(key), value);
        // WAIT applies to this connection's earlier writes; StackExchange.Redis pipelines both on one connection.
        var acknowledged = (long)await database.ExecuteAsync("WAIT", replicas, (long)timeout.TotalMilliseconds);
        return new DurableWrite(key, (int)acknowledged, replicas);
    }

    public async Task<string?> GetAsync(string key) => await redis.GetDatabase().StringGetAsync(keys.Key(key));
}

/// <summary>How many replicas had the write when WAIT returned, against how many were asked for.</summary>
public sealed record DurableWrite(string Key, int Acknowledged, int Required)
{
    public bool Durable => Acknowledged >= Required;
}
