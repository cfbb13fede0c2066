using Apex.Platform.Caching;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Apex.Platform.Auth.TwoFactor;

/// <summary>
/// A sign-in waiting for its second factor, in Redis: who, from which device, how many wrong codes
/// so far, and the SMS code's hash once one was sent. Expiry follows the platform's clock.
/// Completing it deletes it, and only the caller whose delete succeeded gets a session.
/// </summary>
public sealed class TwoFactorChallenges(IConnectionMultiplexer redis, RedisKeys keys, TimeProvider time, IOptions<TwoFactorOptions> options)
{
    public async Task<string> CreateAsync(PlatformUser user, string device)
    {
        var id = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        var expires = time.GetUtcNow() + options.Value.ChallengeLifetime;
        await redis.GetDatabase().HashSetAsync(Key(id),
        [
            new("user", user.Id.ToString()), new("tenant", user.TenantId.ToString()), new("email", user.Email), new("name", user.Name),
            new("device", device), new("attempts", 0), new("expiresAt", expires.ToUnixTimeMilliseconds()),
        ]);
        await redis.GetDatabase().KeyExpireAsync(Key(id), options.Value.ChallengeLifetime * 2);
        return id;
    }

    public async Task<Challenge?> FindAsync(string id)
    {
        var fields = (await redis.GetDatabase().HashGetAllAsync(Key(id))).ToDictionary(e => e.Name.ToString(), e => e.Value);
        if (fields.Count == 0 || (long)fields["expiresAt"] < time.GetUtcNow().ToUnixTimeMilliseconds()) return null;
        var user = new PlatformUser(Guid.Parse(fields["user"].ToString()), Guid.Parse(fields["tenant"].ToString()), fields["email"].ToString(), fields["name"].ToString());
        var sms = fields.TryGetValue("smsHash", out var hash) && (long)fields["smsExpiresAt"] >= time.GetUtcNow().ToUnixTimeMilliseconds()
            ? hash.ToString() : null;
        return new Challenge(id, user, fields["device"].ToString(), sms);
    }

    /// <summary>Counts a wrong code; past the limit the challenge is gone and the user must sign in again.</summary>
    public async Task<int> FailAsync(string id)
    {
        var attempts = await redis.GetDatabase().HashIncrementAsync(Key(id), "attempts");
        var left = options.Value.MaxAttempts - (int)attempts;
        if (left <= 0) await redis.GetDatabase().KeyDeleteAsync(Key(id));
        return Math.Max(0, left);
    }

    public Task SetSmsCodeAsync(string id, string codeHash) => redis.GetDatabase().HashSetAsync(Key(id),
        [new("smsHash", codeHash), new("smsExpiresAt", (time.GetUtcNow() + options.Value.SmsCodeLifetime).ToUnixTimeMilliseconds())]);

    public Task<bool> CompleteAsync(string id) => redis.GetDatabase().KeyDeleteAsync(Key(id));

    private RedisKey Key(string id) => keys.Key($"auth:2fa:challenge:{id}");
}

public sealed record Challenge(string Id, PlatformUser User, string Device, string? SmsCodeHash);
