using System.Security.Cryptography;
using Apex.Platform.Caching;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Apex.Platform.Auth.Sessions;

/// <summary>
/// Login sessions in Redis, shared by every auth instance: a hash per session and, per user, a
/// sorted set of their sessions in creation order. Expiry is judged by the platform's clock
/// (expiresAt), the Redis TTL only cleans up; so a session ends at the same moment on every instance.
/// </summary>
public sealed class SessionStore(IConnectionMultiplexer redis, RedisKeys keys, TimeProvider time, IOptions<LoginSessionOptions> options)
{
    private const string AttributePrefix = "attr:";

    // Creation and the session limit in one step, so parallel sign-ins cannot overshoot the limit.
    // The score is a Redis sequence, not a clock reading: "oldest" stays exact when clocks tie.
    private const string CreateScript = """
        redis.call('HSET', KEYS[1], unpack(ARGV, 4))
        redis.call('PEXPIRE', KEYS[1], ARGV[3])
        local seq = redis.call('INCR', KEYS[3])
        redis.call('ZADD', KEYS[2], seq, ARGV[1])
        redis.call('PEXPIRE', KEYS[2], ARGV[3])
        local extra = redis.call('ZCARD', KEYS[2]) - tonumber(ARGV[2])
        if extra <= 0 then return {} end
        local evicted = redis.call('ZRANGE', KEYS[2], 0, extra - 1)
        redis.call('ZREMRANGEBYRANK', KEYS[2], 0, extra - 1)
        return evicted
        """;

    // An update must never resurrect a session that ended meanwhile.
    private const string UpdateScript = """
        if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
        redis.call('HSET', KEYS[1], unpack(ARGV))
        return 1
        """;

    // Rotation: the presented refresh token must be the current one. 0 means it is one this session
    // already used (a copy is in someone's hands); -2 a token this session never issued, which must
    // not let a guesser of session ids end other people's sessions.
    private const string RotateScript = """
        local current = redis.call('HGET', KEYS[1], 'refresh')
        if not current then return -1 end
        if current ~= ARGV[1] then
            if redis.call('SISMEMBER', KEYS[2], ARGV[1]) == 1 then return 0 end
            return -2
        end
        redis.call('HSET', KEYS[1], 'refresh', ARGV[2], 'lastSeenAt', ARGV[3], 'expiresAt', ARGV[4])
        redis.call('PEXPIRE', KEYS[1], ARGV[5])
        redis.call('SADD', KEYS[2], ARGV[1])
        redis.call('PEXPIRE', KEYS[2], ARGV[5])
        return redis.call('HINCRBY', KEYS[1], 'refreshCount', 1)
        """;

    /// <summary>Records a new session; returns the ids of the user's oldest sessions pushed over the limit.</summary>
    public async Task<IReadOnlyList<string>> CreateAsync(PlatformUser user, string sessionId, string device, string refreshHash)
    {
        var now = time.GetUtcNow();
        var settings = options.Value;
        RedisValue[] fields =
        [
            "user", user.Id.ToString(), "tenant", user.TenantId.ToString(), "email", user.Email, "name", user.Name,
            "device", device, "createdAt", now.ToString("O"), "lastSeenAt", now.ToString("O"),
            "expiresAt", (now + settings.IdleTimeout).ToString("O"), "refresh", refreshHash, "refreshCount", 0,
        ];
        var result = await redis.GetDatabase().ScriptEvaluateAsync(CreateScript,
            [SessionKey(sessionId), UserKey(user.Id), keys.Key("auth:session-seq")],
            [sessionId, settings.MaxSessionsPerUser, (long)settings.IdleTimeout.TotalMilliseconds, .. fields]);
        return ((RedisResult[])result!).Select(r => r.ToString()).ToList();
    }

    public async Task<SessionRecord?> GetAsync(string sessionId)
    {
        var entries = await redis.GetDatabase().HashGetAllAsync(SessionKey(sessionId));
        if (entries.Length == 0) return null;
        var fields = entries.ToDictionary(e => e.Name.ToString(), e => e.Value.ToString());
        var record = SessionRecord.From(sessionId, fields, AttributePrefix);
        return record.ExpiresAt > time.GetUtcNow() ? record : null;
    }

    public async Task<IReadOnlyList<SessionRecord>> ListAsync(Guid userId)
    {
        var ids = await redis.GetDatabase().SortedSetRangeByRankAsync(UserKey(userId));
        var sessions = new List<SessionRecord>();
        foreach (var id in ids)
        {
            if (await GetAsync(id.ToString()) is { } session) sessions.Add(session);
            else await redis.GetDatabase().SortedSetRemoveAsync(UserKey(userId), id);
        }

        return sessions;
    }

    public async Task<bool> UpdateAttributesAsync(string sessionId, IReadOnlyDictionary<string, string> attributes)
    {
        var values = attributes.SelectMany(a => new RedisValue[] { AttributePrefix + a.Key, a.Value })
            .Append("lastSeenAt").Append(time.GetUtcNow().ToString("O")).ToArray();
        return (int)await redis.GetDatabase().ScriptEvaluateAsync(UpdateScript, [SessionKey(sessionId)], values) == 1;
    }

    /// <summary>Swaps the refresh token: the new count on success, 0 when the presented one was already used, below 0 otherwise.</summary>
    public async Task<long> RotateRefreshAsync(string sessionId, string presentedHash, string nextHash)
    {
        var now = time.GetUtcNow();
        var idle = options.Value.IdleTimeout;
        return (long)await redis.GetDatabase().ScriptEvaluateAsync(RotateScript, [SessionKey(sessionId), keys.Key($"auth:session-used:{sessionId}")],
            [presentedHash, nextHash, now.ToString("O"), (now + idle).ToString("O"), (long)idle.TotalMilliseconds]);
    }

    public async Task RemoveAsync(string sessionId, Guid userId)
    {
        var database = redis.GetDatabase();
        await database.KeyDeleteAsync([SessionKey(sessionId), keys.Key($"auth:session-used:{sessionId}")]);
        await database.SortedSetRemoveAsync(UserKey(userId), sessionId);
    }

    public static string Hash(string secret) => Convert.ToHexString(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(secret)));

    private RedisKey SessionKey(string sessionId) => keys.Key($"auth:session:{sessionId}");

    private RedisKey UserKey(Guid userId) => keys.Key($"auth:user-sessions:{userId}");
}

/// <summary>A login session as stored: who, on which device, since when, and the data the client keeps in it.</summary>
public sealed record SessionRecord(
    string SessionId, PlatformUser User, string Device, DateTimeOffset CreatedAt, DateTimeOffset LastSeenAt,
    DateTimeOffset ExpiresAt, long RefreshCount, IReadOnlyDictionary<string, string> Attributes)
{
    public static SessionRecord From(string sessionId, Dictionary<string, string> fields, string attributePrefix) => new(
        sessionId,
        new PlatformUser(Guid.Parse(fields["user"]), Guid.Parse(fields["tenant"]), fields["email"], fields["name"]),
        fields["device"],
        DateTimeOffset.Parse(fields["createdAt"], System.Globalization.CultureInfo.InvariantCulture),
        DateTimeOffset.Parse(fields["lastSeenAt"], System.Globalization.CultureInfo.InvariantCulture),
        DateTimeOffset.Parse(fields["expiresAt"], System.Globalization.CultureInfo.InvariantCulture),
        long.Parse(fields.GetValueOrDefault("refreshCount", "0"), System.Globalization.CultureInfo.InvariantCulture),
        fields.Where(f => f.Key.StartsWith(attributePrefix, StringComparison.Ordinal))
            .ToDictionary(f => f.Key[attributePrefix.Length..], f => f.Value));
}
