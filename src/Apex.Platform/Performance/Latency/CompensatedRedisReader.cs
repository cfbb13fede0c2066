using StackExchange.Redis;

namespace Apex.Platform.Performance.Latency;

/// <summary>
/// Reads a set of keys (everything one page needs) from Redis, compensating for distance: each
/// call is timed into the <see cref="LatencyMonitor"/> and bounded by the <see cref="AdaptiveTimeout"/>;
/// while latency is high the keys go in one MGET — one round trip instead of one per key — and
/// while it is low, each key is read on its own (cheap nearby, and a miss costs nothing extra).
/// </summary>
public sealed class CompensatedRedisReader(IDatabase database, LatencyMonitor monitor, AdaptiveTimeout timeout, TimeProvider time)
{
    private long _roundTrips;

    /// <summary>Round trips made to Redis by this reader.</summary>
    public long RoundTrips => Interlocked.Read(ref _roundTrips);

    public Task<TimeSpan> PingAsync() => TimedAsync(() => database.PingAsync());

    public async Task<RedisValue[]> ReadAsync(IReadOnlyList<RedisKey> keys, bool compensate = true)
    {
        if (compensate && monitor.IsHigh)
        {
            RedisValue[] values = [];
            await TimedAsync(async () => values = await database.StringGetAsync([.. keys]));
            return values;
        }

        var each = new RedisValue[keys.Count];
        for (var i = 0; i < keys.Count; i++)
        {
            var index = i;
            await TimedAsync(async () => each[index] = await database.StringGetAsync(keys[index]));
        }

        return each;
    }

    private async Task<TimeSpan> TimedAsync(Func<Task> call)
    {
        var started = time.GetTimestamp();
        Interlocked.Increment(ref _roundTrips);
        await call().WaitAsync(timeout.Current, time);
        var elapsed = time.GetElapsedTime(started);
        monitor.Record(elapsed);
        return elapsed;
    }
}
