using Apex.Platform.Caching;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Apex.Platform.Auth.RateLimiting;

/// <summary>The outcome of one request against its limit.</summary>
public sealed record RateDecision(bool Allowed, long Limit, long Count, TimeSpan RetryAfter)
{
    public long Remaining => Math.Max(0, Limit - Count);
}

/// <summary>
/// Fixed-window counters in Redis, shared by every instance, so a user's limit is one limit however
/// many instances serve them. The window is computed from the platform's clock (tests move it);
/// the Redis TTL only cleans up. A tier's limit can be changed live: the override in Redis is read
/// in the same script as the counter, so the next request anywhere obeys it.
/// </summary>
public sealed class RedisRateLimiter(IConnectionMultiplexer redis, RedisKeys keys, TimeProvider time, IOptions<RateLimitOptions> options)
{
    private const string CountScript = """
        local limit = tonumber(ARGV[1])
        if KEYS[2] ~= '' then limit = tonumber(redis.call('HGET', KEYS[2], ARGV[2]) or ARGV[1]) end
        local count = redis.call('INCR', KEYS[1])
        if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
        return {count, limit}
        """;

    public Task<RateDecision> ForTierAsync(Guid userId, string tier, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var defaultLimit = settings.Tiers.TryGetValue(tier, out var limit) ? limit : settings.Tiers["free"];
        return CountAsync($"user:{userId}", defaultLimit, TierLimitsKey, tier);
    }

    public Task<RateDecision> ForKeyAsync(Guid keyId, int limit, CancellationToken cancellationToken) =>
        CountAsync($"apikey:{keyId}", limit, null, string.Empty);

    /// <summary>Changes a tier's limit for every instance at once.</summary>
    public Task SetTierLimitAsync(string tier, int limit) => redis.GetDatabase().HashSetAsync(TierLimitsKey, tier, limit);

    private RedisKey TierLimitsKey => keys.Key("ratelimit:tier-limits");

    private async Task<RateDecision> CountAsync(string subject, int defaultLimit, RedisKey? overrides, string tier)
    {
        var window = options.Value.Window;
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var windowMs = (long)window.TotalMilliseconds;
        var windowIndex = now / windowMs;
        var result = (RedisResult[])(await redis.GetDatabase().ScriptEvaluateAsync(CountScript,
            [keys.Key($"ratelimit:{subject}:{windowIndex}"), overrides ?? (RedisKey)string.Empty],
            [defaultLimit, tier, windowMs * 2]))!;
        var (count, limit) = ((long)result[0], (long)result[1]);
        return new RateDecision(count <= limit, limit, count, TimeSpan.FromMilliseconds((windowIndex + 1) * windowMs - now));
    }
}
