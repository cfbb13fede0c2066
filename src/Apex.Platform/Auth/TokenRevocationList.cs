using Apex.Platform.Caching;
using StackExchange.Redis;

namespace Apex.Platform.Auth;

/// <summary>
/// Revoked tokens and sessions, in Redis so that every service instance sees a revocation at once.
/// Entries expire with the longest-lived token they could concern; after that the token is dead anyway.
/// </summary>
public sealed class TokenRevocationList(IConnectionMultiplexer redis, RedisKeys keys)
{
    public async Task RevokeSessionAsync(string sessionId, TimeSpan keepFor) =>
        await redis.GetDatabase().StringSetAsync(keys.Key($"auth:revoked:sid:{sessionId}"), "1", keepFor);

    public async Task RevokeTokenAsync(string tokenId, TimeSpan keepFor) =>
        await redis.GetDatabase().StringSetAsync(keys.Key($"auth:revoked:jti:{tokenId}"), "1", keepFor);

    public async Task<bool> IsRevokedAsync(string sessionId, string tokenId)
    {
        var found = await redis.GetDatabase().KeyExistsAsync(
            [keys.Key($"auth:revoked:sid:{sessionId}"), keys.Key($"auth:revoked:jti:{tokenId}")]);
        return found > 0;
    }
}
