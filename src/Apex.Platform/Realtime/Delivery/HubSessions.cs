using System.Globalization;
using System.Text.Json;
using Apex.Platform.Auth;
using Apex.Platform.Caching;
using Apex.Platform.Realtime.Hub;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Apex.Platform.Realtime.Delivery;

/// <summary>
/// Hub sessions in Redis, outliving any one socket or instance: who owns them, which tenant, user
/// and topics they belong to, and a per-session sequence with a bounded replay buffer of the
/// messages routed to them. A client that reconnects (here or on another instance) names its
/// session and the last sequence it saw, and gets what it missed.
/// </summary>
public sealed class HubSessions(IConnectionMultiplexer redis, RedisKeys keys, IOptions<HubOptions> options)
{
    // Sequence, buffer and the ids seen move together: the same message id never gets two
    // sequence numbers in one session, and no reader sees sequence n+1 before n is stored.
    private const string AppendScript = """
        if redis.call('ZSCORE', KEYS[3], ARGV[1]) then return -1 end
        local seq = redis.call('INCR', KEYS[1])
        redis.call('ZADD', KEYS[2], seq, seq .. ':' .. ARGV[2])
        redis.call('ZADD', KEYS[3], seq, ARGV[1])
        redis.call('ZREMRANGEBYRANK', KEYS[2], 0, -(tonumber(ARGV[3]) + 1))
        redis.call('ZREMRANGEBYRANK', KEYS[3], 0, -(tonumber(ARGV[3]) * 4 + 1))
        for i = 1, 3 do redis.call('PEXPIRE', KEYS[i], ARGV[4]) end
        return seq
        """;

    private IDatabase Db => redis.GetDatabase();

    private TimeSpan Retention => options.Value.SessionRetention;

    /// <summary>The session to use: the requested one when it is this user's, a new one when none was requested; null otherwise.</summary>
    public async Task<(string SessionId, bool Resumed)?> OpenAsync(UserContext user, string? requested)
    {
        if (requested is not null)
        {
            var owner = await Db.HashGetAsync(keys.Key($"rt:s:{requested}"), "user");
            return owner == user.UserId.ToString() ? (requested, true) : null;
        }

        var sessionId = Guid.NewGuid().ToString("N");
        var batch = Db.CreateBatch();
        var writes = new List<Task>
        {
            batch.HashSetAsync(keys.Key($"rt:s:{sessionId}"), [new("user", user.UserId.ToString()), new("tenant", user.TenantId.ToString()), new("acked", 0)]),
            batch.KeyExpireAsync(keys.Key($"rt:s:{sessionId}"), Retention),
            batch.SetAddAsync(keys.Key($"rt:u:{user.UserId}"), sessionId),
            batch.SetAddAsync(keys.Key($"rt:t:{user.TenantId}"), sessionId),
        };
        batch.Execute();
        await Task.WhenAll(writes);
        return (sessionId, false);
    }

    public async Task SubscribeAsync(string sessionId, Guid tenantId, string topic) =>
        await Db.SetAddAsync(keys.Key($"rt:t:{tenantId}:topic:{topic}"), sessionId);

    /// <summary>The sessions a target reaches (sessions whose retention ran out are dropped on the way).</summary>
    public async Task<IReadOnlyList<string>> ResolveAsync(DeliveryTarget target)
    {
        var set = target switch
        {
            { Topic: { } topic } => $"rt:t:{target.TenantId}:topic:{topic}",
            { UserId: { } user } => $"rt:u:{user}",
            _ => $"rt:t:{target.TenantId}",
        };
        var members = (await Db.SetMembersAsync(keys.Key(set))).Select(m => m.ToString()).ToList();
        var alive = await Task.WhenAll(members.Select(m => Db.KeyExistsAsync(keys.Key($"rt:s:{m}"))));
        var gone = members.Where((_, i) => !alive[i]).Select(m => (RedisValue)m).ToArray();
        if (gone.Length > 0) await Db.SetRemoveAsync(keys.Key(set), gone);
        return members.Where((_, i) => alive[i]).ToList();
    }

    /// <summary>Appends a message to a session's buffer; its sequence number, or null when the session already has this message id.</summary>
    public async Task<long?> AppendAsync(string sessionId, string messageId, string type, JsonElement data)
    {
        var envelope = JsonSerializer.Serialize(new HubFrame(type, messageId, null, data), HubFrame.Json);
        var result = (long)await Db.ScriptEvaluateAsync(AppendScript,
            [keys.Key($"rt:s:{sessionId}:seq"), keys.Key($"rt:s:{sessionId}:log"), keys.Key($"rt:s:{sessionId}:ids")],
            [messageId, envelope, options.Value.ReplayBufferSize, (long)Retention.TotalMilliseconds]);
        return result < 0 ? null : result;
    }

    /// <summary>Buffered messages after <paramref name="afterSeq"/>, in order, as frames with their sequence numbers.</summary>
    public async Task<IReadOnlyList<HubFrame>> ReadAfterAsync(string sessionId, long afterSeq, int take = 500)
    {
        var entries = await Db.SortedSetRangeByScoreAsync(keys.Key($"rt:s:{sessionId}:log"), afterSeq, double.PositiveInfinity, Exclude.Start, skip: 0, take: take);
        return entries.Select(e => Parse(e.ToString())).ToList();
    }

    /// <summary>The oldest sequence still buffered and the newest assigned (0 when none).</summary>
    public async Task<(long Oldest, long Newest)> RangeAsync(string sessionId)
    {
        var oldest = await Db.SortedSetRangeByRankWithScoresAsync(keys.Key($"rt:s:{sessionId}:log"), 0, 0);
        var newest = await Db.StringGetAsync(keys.Key($"rt:s:{sessionId}:seq"));
        return (oldest.Length > 0 ? (long)oldest[0].Score : 0, newest.HasValue ? (long)newest : 0);
    }

    /// <summary>Records what the client confirmed it has, so a reconnect without a sequence resumes from there.</summary>
    public async Task AckAsync(string sessionId, long seq)
    {
        var key = keys.Key($"rt:s:{sessionId}");
        var acked = (long?)await Db.HashGetAsync(key, "acked") ?? 0;
        if (seq > acked) await Db.HashSetAsync(key, "acked", seq);
    }

    public async Task<long> AckedAsync(string sessionId) => (long?)await Db.HashGetAsync(keys.Key($"rt:s:{sessionId}"), "acked") ?? 0;

    private static HubFrame Parse(string entry)
    {
        var colon = entry.IndexOf(':', StringComparison.Ordinal);
        var seq = long.Parse(entry.AsSpan(0, colon), CultureInfo.InvariantCulture);
        var frame = JsonSerializer.Deserialize<HubFrame>(entry.AsSpan(colon + 1), HubFrame.Json)!;
        return frame with { Seq = seq };
    }
}

/// <summary>Who a routed message is for: a whole tenant, one user of it, or the tenant's subscribers of a topic.</summary>
public sealed record DeliveryTarget(Guid TenantId, Guid? UserId = null, string? Topic = null);
