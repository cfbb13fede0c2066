using Apex.Platform.Auth;
using Apex.Platform.Caching;
using StackExchange.Redis;

namespace Apex.Platform.Realtime;

/// <summary>Open WebSocket connections, recorded in Redis so any instance can see who is connected.</summary>
public sealed class RealtimeSessionStore(IConnectionMultiplexer redis, RedisKeys keys, TimeProvider time)
{
    public async Task RecordAsync(string connectionId, UserContext user)
    {
        var database = redis.GetDatabase();
        await database.HashSetAsync(keys.Key($"realtime:connection:{connectionId}"),
        [
            new HashEntry("user", user.UserId.ToString()),
            new HashEntry("tenant", user.TenantId.ToString()),
            new HashEntry("session", user.SessionId),
            new HashEntry("connectedAt", time.GetUtcNow().ToString("O")),
        ]);
        await database.SetAddAsync(keys.Key($"realtime:user:{user.UserId}"), connectionId);
    }

    public async Task RemoveAsync(string connectionId, Guid userId)
    {
        var database = redis.GetDatabase();
        await database.KeyDeleteAsync(keys.Key($"realtime:connection:{connectionId}"));
        await database.SetRemoveAsync(keys.Key($"realtime:user:{userId}"), connectionId);
    }

    public async Task<IReadOnlyList<string>> ConnectionsOfAsync(Guid userId) =>
        (await redis.GetDatabase().SetMembersAsync(keys.Key($"realtime:user:{userId}"))).Select(v => v.ToString()).ToList();

    public async Task<IReadOnlyDictionary<string, string>> DescribeAsync(string connectionId) =>
        (await redis.GetDatabase().HashGetAllAsync(keys.Key($"realtime:connection:{connectionId}")))
            .ToDictionary(e => e.Name.ToString(), e => e.Value.ToString());
}
