using Apex.Platform.Caching;
using StackExchange.Redis;

namespace Apex.Platform.Resilience.Shutdown;

/// <summary>
/// The emergency kill switch, shared by every instance through Redis: a key that says whether
/// intake is stopped (read at start, so an instance started mid-incident stays closed) and a
/// channel that tells running instances at once.
/// </summary>
public sealed class KillSwitch(IConnectionMultiplexer redis, RedisKeys keys, TimeProvider time)
{
    private RedisKey Key => keys.Key("resilience:kill-switch");

    private RedisChannel Channel => keys.Channel("resilience:kill-switch");

    public async Task EngageAsync(string reason, string by)
    {
        var value = $"{time.GetUtcNow():O} {by}: {reason}";
        await redis.GetDatabase().StringSetAsync(Key, value);
        await redis.GetSubscriber().PublishAsync(Channel, value);
    }

    public async Task ReleaseAsync()
    {
        await redis.GetDatabase().KeyDeleteAsync(Key);
        await redis.GetSubscriber().PublishAsync(Channel, string.Empty);
    }

    /// <summary>Why intake is stopped, or null when it is not.</summary>
    public async Task<string?> ReasonAsync() => await redis.GetDatabase().StringGetAsync(Key) is { HasValue: true } value ? value.ToString() : null;

    /// <summary>Calls <paramref name="changed"/> with the new reason (null: released) whenever any instance flips the switch.</summary>
    public Task SubscribeAsync(Action<string?> changed) =>
        redis.GetSubscriber().SubscribeAsync(Channel, (_, message) => changed(message.IsNullOrEmpty ? null : message.ToString()));
}
