using Polly;
using Polly.Retry;
using StackExchange.Redis;

namespace Apex.Platform.Caching.Sessions;

/// <summary>
/// Session state as one Redis hash per session, spread over the slots of a Redis Cluster.
/// StackExchange.Redis follows MOVED and ASK redirections, so sessions stay readable and writable
/// while their slots move between nodes (<see cref="SlotMigrator"/>).
/// </summary>
public sealed class ClusterSessionStore(IConnectionMultiplexer redis, RedisKeys keys, TimeProvider time)
{
    // The client learns of a node added to the cluster from the first MOVED or ASK that names it and
    // only then connects; until that connection is up a command for the node's slots fails before it
    // is sent ("not reachable at this point of time"). Such a command - and only such, since nothing
    // reached Redis, so even an increment cannot count twice - is tried again for up to ~5 s.
    private static readonly ResiliencePipeline NotYetConnected = new ResiliencePipelineBuilder().AddRetry(new RetryStrategyOptions
    {
        ShouldHandle = new PredicateBuilder().Handle<RedisConnectionException>(e =>
            e.FailureType is ConnectionFailureType.UnableToConnect or ConnectionFailureType.UnableToResolvePhysicalConnection),
        MaxRetryAttempts = 10,
        Delay = TimeSpan.FromMilliseconds(50),
        BackoffType = DelayBackoffType.Exponential,
        MaxDelay = TimeSpan.FromSeconds(1),
    }).Build();

    public async Task CreateAsync(string sessionId, string userId) => await NotYetConnected.ExecuteAsync(async _ =>
        await redis.GetDatabase().HashSetAsync(Key(sessionId), [new("user", userId), new("created", time.GetUtcNow().ToUnixTimeMilliseconds()), new("hits", 0)]));

    /// <summary>Records one request of the session; returns its request count.</summary>
    public async Task<long> TouchAsync(string sessionId) =>
        await NotYetConnected.ExecuteAsync(async _ => await redis.GetDatabase().HashIncrementAsync(Key(sessionId), "hits"));

    public async Task<SessionState?> GetAsync(string sessionId)
    {
        var fields = await NotYetConnected.ExecuteAsync(async _ => await redis.GetDatabase().HashGetAsync(Key(sessionId), ["user", "hits"]));
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
