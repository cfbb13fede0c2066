using System.Collections.Concurrent;
using System.Diagnostics;
using Apex.Platform.Caching.Metrics;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Apex.Platform.Caching.Tiered;

/// <summary>
/// The platform's two-level cache: HybridCache (memory L1 over Redis L2, with its per-key stampede
/// protection and tags) plus what HybridCache lacks across instances: every removal is broadcast on
/// Redis pub/sub so the other instances drop their L1 copy, and removal by key pattern walks L2 with
/// SCAN. Writes follow cache-aside: change the source, then invalidate (docs/adr/0120).
/// </summary>
public sealed class TieredCache(
    HybridCache cache, IConnectionMultiplexer redis, RedisKeys keys, CacheMetrics metrics, IOptions<CachingOptions> options, ILogger<TieredCache> logger)
{
    private const int ScanPageSize = 250;
    private readonly ConcurrentDictionary<string, byte> _local = new(StringComparer.Ordinal);
    private readonly RedisChannel _channel = keys.Channel("cache:invalidate");

    /// <summary>Identifies this instance's own broadcasts, which it has already applied.</summary>
    public Guid InstanceId { get; } = Guid.NewGuid();

    /// <summary>Invalidation messages from other instances applied here.</summary>
    public long InvalidationsReceived => Interlocked.Read(ref _received);

    private long _received;

    /// <summary>Where HybridCache's L2 entries live in Redis: the platform prefix, then "cache:".</summary>
    public string L2Prefix => keys.Key("cache:").ToString();

    public async ValueTask<T> GetOrLoadAsync<T>(string key, Func<CancellationToken, ValueTask<T>> load, IEnumerable<string>? tags = null,
        TimeSpan? ttl = null, CancellationToken cancellationToken = default)
    {
        var started = Stopwatch.GetTimestamp();
        var loaded = false;
        var value = await cache.GetOrCreateAsync(key, async ct =>
        {
            loaded = true;
            return await load(ct);
        }, Entry(ttl), tags, cancellationToken);
        _local.TryAdd(key, 0);
        metrics.RecordRead(key, !loaded, Stopwatch.GetElapsedTime(started));
        if (loaded) metrics.RecordStore(key);
        return value;
    }

    public async ValueTask SetAsync<T>(string key, T value, IEnumerable<string>? tags = null, TimeSpan? ttl = null, CancellationToken cancellationToken = default)
    {
        await cache.SetAsync(key, value, Entry(ttl), tags, cancellationToken);
        _local.TryAdd(key, 0);
        metrics.RecordStore(key);
    }

    /// <summary>Removes keys from L2 and from every instance's L1.</summary>
    public async Task InvalidateAsync(IReadOnlyCollection<string> cacheKeys, CancellationToken cancellationToken = default)
    {
        foreach (var key in cacheKeys) await RemoveLocalAndL2Async(key, cancellationToken);
        await PublishAsync(InvalidationKind.Keys, [.. cacheKeys]);
    }

    public async Task InvalidateTagAsync(string tag, CancellationToken cancellationToken = default)
    {
        await cache.RemoveByTagAsync(tag, cancellationToken);
        await PublishAsync(InvalidationKind.Tag, [tag]);
    }

    /// <summary>Removes every cached key matching a Redis glob, found with SCAN (never KEYS); returns them.</summary>
    public async Task<IReadOnlyList<string>> InvalidatePatternAsync(string glob, CancellationToken cancellationToken = default)
    {
        var found = new List<string>();
        foreach (var server in redis.GetServers().Where(s => s.IsConnected && !s.IsReplica))
        {
            // IServer.KeysAsync pages with SCAN cursors on every Redis since 2.8.
            await foreach (var key in server.KeysAsync(pattern: L2Prefix + glob, pageSize: ScanPageSize).WithCancellation(cancellationToken))
            {
                found.Add(key.ToString()[L2Prefix.Length..]);
            }
        }

        // Keys this instance holds in L1 whose L2 copy is already gone match too.
        foreach (var key in found.Union(RemoveLocalMatching(glob)).ToList()) await RemoveLocalAndL2Async(key, cancellationToken);
        await PublishAsync(InvalidationKind.Pattern, [glob]);
        return found;
    }

    /// <summary>Subscribes to the other instances' invalidations; called once at start.</summary>
    public async Task SubscribeAsync()
    {
        var subscription = await redis.GetSubscriber().SubscribeAsync(_channel);
        subscription.OnMessage(async message =>
        {
            var parsed = InvalidationMessage.TryParse(message.Message);
            if (parsed is null || parsed.Origin == InstanceId) return;
            try
            {
                await ApplyAsync(parsed);
                Interlocked.Increment(ref _received);
            }
            catch (Exception e) when (e is RedisException or OperationCanceledException)
            {
                logger.LogWarning(e, "Could not apply a cache invalidation; the L1 entry expires within {LocalTtl}", options.Value.LocalTtl);
            }
        });
    }

    private async Task ApplyAsync(InvalidationMessage message)
    {
        switch (message.Kind)
        {
            case InvalidationKind.Keys:
                foreach (var key in message.Values) await RemoveLocalAndL2Async(key, CancellationToken.None);
                break;
            case InvalidationKind.Tag:
                await cache.RemoveByTagAsync(message.Values[0]);
                break;
            case InvalidationKind.Pattern:
                foreach (var key in RemoveLocalMatching(message.Values[0])) await cache.RemoveAsync(key);
                break;
        }
    }

    // HybridCache has no L1-only removal; removing from L2 again is harmless under cache-aside.
    private async Task RemoveLocalAndL2Async(string key, CancellationToken cancellationToken)
    {
        await cache.RemoveAsync(key, cancellationToken);
        _local.TryRemove(key, out _);
    }

    private List<string> RemoveLocalMatching(string glob)
    {
        var regex = GlobPattern.ToRegex(glob);
        var matching = _local.Keys.Where(k => regex.IsMatch(k)).ToList();
        foreach (var key in matching) _local.TryRemove(key, out _);
        return matching;
    }

    private Task PublishAsync(InvalidationKind kind, string[] values) =>
        redis.GetSubscriber().PublishAsync(_channel, new InvalidationMessage(kind, values, InstanceId).ToJson());

    private HybridCacheEntryOptions? Entry(TimeSpan? ttl) => ttl is { } t
        ? new HybridCacheEntryOptions { Expiration = t, LocalCacheExpiration = t < options.Value.LocalTtl ? t : options.Value.LocalTtl }
        : null;
}
