using System.Collections.Concurrent;
using System.Text.Json;
using Apex.Platform.Caching.Metrics;
using Apex.Platform.Caching.Source;
using StackExchange.Redis;

namespace Apex.Platform.Caching.Integrity;

/// <summary>
/// Records cached in Redis inside an <see cref="IntegrityEnvelope"/>. A value that fails the check on
/// read is moved to a quarantine key (kept for inspection, with its reason), rebuilt from
/// PostgreSQL and counted; the reader gets the rebuilt record, never the corrupt one.
/// </summary>
public sealed class VerifiedCache(IConnectionMultiplexer redis, RedisKeys keys, RecordStore source, CacheMetrics metrics, TimeProvider time,
    ILogger<VerifiedCache> logger)
{
    /// <summary>The schema of <see cref="Record"/> as this build caches it; bump it when the record's shape changes.</summary>
    public const int SchemaVersion = 2;
    private static readonly TimeSpan QuarantineLifetime = TimeSpan.FromDays(7);

    private readonly ConcurrentDictionary<CorruptionReason, long> _detected = new();

    public long Detected(CorruptionReason reason) => _detected.GetValueOrDefault(reason);

    public async Task<Record?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        var raw = await redis.GetDatabase().StringGetAsync(Key(key));
        var (record, corruption) = Open(raw);
        if (record is not null) return record;
        if (corruption is { } reason) await QuarantineAsync(key, raw!, reason);
        return await RebuildAsync(key, cancellationToken);
    }

    /// <summary>Reads the record from PostgreSQL and caches it sealed; null (and nothing cached) when the source has none.</summary>
    public async Task<Record?> RebuildAsync(string key, CancellationToken cancellationToken = default)
    {
        var record = await source.FindAsync(key, cancellationToken);
        if (record is not null) await redis.GetDatabase().StringSetAsync(Key(key), IntegrityEnvelope.Seal(SchemaVersion, JsonSerializer.Serialize(record)));
        return record;
    }

    /// <summary>Checks every cached record under <paramref name="keyPrefix"/> (SCAN), repairing the corrupt ones.</summary>
    public async Task<IReadOnlyList<QuarantinedEntry>> ScrubAsync(string keyPrefix, CancellationToken cancellationToken = default)
    {
        var found = new List<QuarantinedEntry>();
        var root = Key(string.Empty).ToString();
        foreach (var server in redis.GetServers().Where(s => s.IsConnected && !s.IsReplica))
        {
            await foreach (var redisKey in server.KeysAsync(pattern: root + keyPrefix + "*", pageSize: 250).WithCancellation(cancellationToken))
            {
                var raw = await redis.GetDatabase().StringGetAsync(redisKey);
                if (Open(raw).Corruption is not { } reason) continue;
                var key = redisKey.ToString()[root.Length..];
                found.Add(await QuarantineAsync(key, raw!, reason));
                await RebuildAsync(key, cancellationToken);
            }
        }

        return found;
    }

    public RedisKey Key(string key) => keys.Key("verified:" + key);

    public RedisKey QuarantineKey(string key) => keys.Key("quarantine:" + key);

    private (Record? Record, CorruptionReason? Corruption) Open(RedisValue raw)
    {
        var opened = IntegrityEnvelope.Open(raw.IsNull ? null : (string?)raw, SchemaVersion);
        if (opened.Payload is null) return (null, opened.Corruption);
        try
        {
            return JsonSerializer.Deserialize<Record>(opened.Payload) is { Key: not null, Body: not null } record ? (record, null) : (null, CorruptionReason.Payload);
        }
        catch (JsonException)
        {
            return (null, CorruptionReason.Payload);
        }
    }

    private async Task<QuarantinedEntry> QuarantineAsync(string key, RedisValue raw, CorruptionReason reason)
    {
        var entry = new QuarantinedEntry(key, reason, time.GetUtcNow());
        var transaction = redis.GetDatabase().CreateTransaction();
        _ = transaction.HashSetAsync(QuarantineKey(key), [new("value", raw), new("reason", reason.ToString()), new("at", entry.At.ToString("O"))]);
        _ = transaction.KeyExpireAsync(QuarantineKey(key), QuarantineLifetime);
        _ = transaction.KeyDeleteAsync(Key(key));
        await transaction.ExecuteAsync();
        _detected.AddOrUpdate(reason, 1, (_, n) => n + 1);
        metrics.RecordCorruption(key, reason.ToString());
        logger.LogWarning("Cached value of {Key} rejected ({Reason}); quarantined and rebuilt from the source", key, reason);
        return entry;
    }
}

public sealed record QuarantinedEntry(string Key, CorruptionReason Reason, DateTimeOffset At);
