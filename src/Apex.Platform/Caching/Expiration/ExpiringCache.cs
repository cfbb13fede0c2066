using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Apex.Platform.Caching.Expiration;

/// <summary>
/// A Redis cache whose entries expire on the platform clock (absolute or sliding), are reloaded in
/// the background shortly before they expire (refresh-ahead), and are loaded once per key however
/// many readers miss at once: one loader per instance (single flight) and one across instances (a
/// Redis lock). Redis also gets a physical TTL, a little longer, so abandoned entries free memory.
/// </summary>
public sealed class ExpiringCache(IConnectionMultiplexer redis, RedisKeys keys, TimeProvider time, IOptions<CachingOptions> options,
    ILogger<ExpiringCache> logger)
{
    public static readonly TimeSpan PhysicalGrace = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan LockPoll = TimeSpan.FromMilliseconds(20);

    // Deletes the lock only if it is still ours: after a timeout another instance may hold it.
    private const string ReleaseLock = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end";

    private readonly ConcurrentDictionary<string, Lazy<Task<RedisValue>>> _inFlight = new(StringComparer.Ordinal);
    private long _misses;
    private long _expirations;
    private long _refreshes;

    public long Misses => Interlocked.Read(ref _misses);

    /// <summary>Entries found in Redis but past their expiry on the platform clock.</summary>
    public long Expirations => Interlocked.Read(ref _expirations);

    /// <summary>Completed background reloads (refresh-ahead).</summary>
    public long Refreshes => Interlocked.Read(ref _refreshes);

    public async Task<T> GetOrLoadAsync<T>(string key, ExpirationPolicy policy, Func<CancellationToken, Task<T>> load, CancellationToken cancellationToken = default)
    {
        policy.Validate();
        async Task<string> Serialized(CancellationToken ct) => JsonSerializer.Serialize(await load(ct));
        var entry = await ReadAsync(key);
        if (entry is not null && entry.ExpiresAt > time.GetUtcNow())
        {
            await TouchAsync(key, entry, policy, Serialized);
            return JsonSerializer.Deserialize<T>(entry.Data.ToString())!;
        }

        if (entry is not null) Interlocked.Increment(ref _expirations);
        Interlocked.Increment(ref _misses);
        var data = await SingleFlightAsync(key, () => LoadUnderLockAsync(key, policy, Serialized, cancellationToken));
        return JsonSerializer.Deserialize<T>(data.ToString())!;
    }

    /// <summary>When the entry expires on the platform clock, or null when there is none.</summary>
    public async Task<DateTimeOffset?> ExpiryAsync(string key) => (await ReadAsync(key))?.ExpiresAt;

    public RedisKey Key(string key) => keys.Key("ttl:" + key);

    private async Task<Entry?> ReadAsync(string key)
    {
        var fields = await redis.GetDatabase().HashGetAsync(Key(key), ["d", "exp", "ld"]);
        if (fields[0].IsNull || fields[1].IsNull || fields[2].IsNull) return null;
        return new Entry(fields[0], DateTimeOffset.FromUnixTimeMilliseconds((long)fields[1]), DateTimeOffset.FromUnixTimeMilliseconds((long)fields[2]));
    }

    private async Task TouchAsync(string key, Entry entry, ExpirationPolicy policy, Func<CancellationToken, Task<string>> load)
    {
        var now = time.GetUtcNow();
        var expiresAt = entry.ExpiresAt;
        if (policy.Sliding is not null)
        {
            expiresAt = policy.ExpiryAt(entry.LoadedAt, now);
            var database = redis.GetDatabase();
            await database.HashSetAsync(Key(key), "exp", expiresAt.ToUnixTimeMilliseconds());
            await database.KeyExpireAsync(Key(key), expiresAt - now + PhysicalGrace);
        }

        var lifetime = expiresAt - entry.LoadedAt;
        if (policy.Absolute is not null && expiresAt - now <= lifetime * options.Value.RefreshAheadRatio && !_inFlight.ContainsKey(key))
        {
            // Refresh-ahead: this reader gets the current value now; the reload runs beside it.
            _ = RefreshAheadAsync(key, policy, load);
        }
    }

    private async Task RefreshAheadAsync(string key, ExpirationPolicy policy, Func<CancellationToken, Task<string>> load)
    {
        try
        {
            await SingleFlightAsync(key, () => LoadUnderLockAsync(key, policy, load, CancellationToken.None));
            Interlocked.Increment(ref _refreshes);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The current entry stays until it expires; the next miss loads again.
            logger.LogWarning(e, "Refresh-ahead of {Key} failed", key);
        }
    }

    // One load per key in this instance: later callers join the first one's task.
    private async Task<RedisValue> SingleFlightAsync(string key, Func<Task<RedisValue>> load)
    {
        var mine = new Lazy<Task<RedisValue>>(load);
        var flight = _inFlight.GetOrAdd(key, mine);
        try
        {
            return await flight.Value;
        }
        finally
        {
            if (ReferenceEquals(flight, mine)) _inFlight.TryRemove(KeyValuePair.Create(key, mine));
        }
    }

    private async Task<RedisValue> LoadUnderLockAsync(string key, ExpirationPolicy policy, Func<CancellationToken, Task<string>> load, CancellationToken cancellationToken)
    {
        var database = redis.GetDatabase();
        var token = Guid.NewGuid().ToString("N");
        var startedAt = time.GetUtcNow();
        while (!await database.StringSetAsync(Lock(key), token, options.Value.LoadLockTimeout, When.NotExists))
        {
            // Another instance is loading: take its value once written, or the lock once it lapses.
            await Task.Delay(LockPoll, cancellationToken);
            if (await ReadAsync(key) is { } loaded && loaded.LoadedAt >= startedAt && loaded.ExpiresAt > time.GetUtcNow()) return loaded.Data;
        }

        try
        {
            // Double check: the instance that held the lock before us may have just written the entry.
            if (await ReadAsync(key) is { } written && written.LoadedAt >= startedAt && written.ExpiresAt > time.GetUtcNow()) return written.Data;
            var data = await load(cancellationToken);
            await WriteAsync(database, key, data, policy);
            return data;
        }
        finally
        {
            await database.ScriptEvaluateAsync(ReleaseLock, [Lock(key)], [token]);
        }
    }

    private async Task WriteAsync(IDatabase database, string key, string data, ExpirationPolicy policy)
    {
        var now = time.GetUtcNow();
        var expiresAt = policy.ExpiryAt(now, now);
        await database.HashSetAsync(Key(key), [new("d", data), new("ld", now.ToUnixTimeMilliseconds()), new("exp", expiresAt.ToUnixTimeMilliseconds())]);
        await database.KeyExpireAsync(Key(key), expiresAt - now + PhysicalGrace);
    }

    private RedisKey Lock(string key) => keys.Key("ttl-lock:" + key);

    private sealed record Entry(RedisValue Data, DateTimeOffset ExpiresAt, DateTimeOffset LoadedAt);
}
