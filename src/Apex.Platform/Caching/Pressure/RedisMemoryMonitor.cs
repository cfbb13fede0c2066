using System.Globalization;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Apex.Platform.Caching.Pressure;

/// <summary>
/// Reads Redis's own figures (INFO memory and stats): used memory against maxmemory, the eviction
/// policy and the evicted-key count, and raises one alert when usage crosses the configured ratio
/// (again only after it has dropped below it), so a full cache is noticed before writes fail.
/// </summary>
public sealed class RedisMemoryMonitor(IOptions<RedisOptions> redisOptions, CacheAlerts alerts, IOptions<CachingOptions> options, TimeProvider time,
    ILogger<RedisMemoryMonitor> logger) : IAsyncDisposable
{
    private readonly SemaphoreSlim _connecting = new(1, 1);
    private ConnectionMultiplexer? _admin;
    private bool _alerting;

    public MemorySample? Last { get; private set; }

    public async Task<MemorySample> SampleAsync()
    {
        var memory = Parse(await InfoAsync("memory"));
        var stats = Parse(await InfoAsync("stats"));
        var sample = new MemorySample(
            long.Parse(memory["used_memory"], CultureInfo.InvariantCulture),
            long.Parse(memory.GetValueOrDefault("maxmemory", "0"), CultureInfo.InvariantCulture),
            memory.GetValueOrDefault("maxmemory_policy", "unknown"),
            long.Parse(stats.GetValueOrDefault("evicted_keys", "0"), CultureInfo.InvariantCulture),
            time.GetUtcNow());
        Last = sample;
        Evaluate(sample);
        return sample;
    }

    private void Evaluate(MemorySample sample)
    {
        var threshold = options.Value.MemoryAlertRatio;
        if (sample.Ratio is not { } ratio) return;
        if (ratio >= threshold && !_alerting)
        {
            _alerting = true;
            alerts.Raise(new CacheAlert("redis-memory",
                $"Redis uses {sample.UsedBytes} of {sample.MaxBytes} bytes ({ratio:P0}, alert at {threshold:P0}); policy {sample.Policy}, {sample.EvictedKeys} keys evicted so far",
                sample.At));
        }
        else if (ratio < threshold && _alerting)
        {
            _alerting = false;
            logger.LogInformation("Redis memory back under {Threshold:P0} ({Ratio:P0})", threshold, ratio);
        }
    }

    private async Task<string> InfoAsync(string section)
    {
        var server = (await AdminAsync()).GetServers().First(s => s.IsConnected && !s.IsReplica);
        return await server.InfoRawAsync(section) ?? string.Empty;
    }

    // INFO is an admin command to StackExchange.Redis; the platform's shared connection is
    // deliberately not an admin one, so the monitor has its own, named, opened on first use.
    private async Task<ConnectionMultiplexer> AdminAsync()
    {
        if (_admin is not null) return _admin;
        await _connecting.WaitAsync();
        try
        {
            var configuration = ConfigurationOptions.Parse(redisOptions.Value.ConnectionString);
            configuration.AllowAdmin = true;
            configuration.ClientName = "apex-memory-monitor";
            return _admin ??= await ConnectionMultiplexer.ConnectAsync(configuration);
        }
        finally
        {
            _connecting.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_admin is not null) await _admin.DisposeAsync();
        _connecting.Dispose();
    }

    private static Dictionary<string, string> Parse(string info) => info
        .Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
        .Where(line => !line.StartsWith('#') && line.Contains(':'))
        .Select(line => line.Split(':', 2))
        .ToDictionary(parts => parts[0], parts => parts[1]);
}

public sealed record MemorySample(long UsedBytes, long MaxBytes, string Policy, long EvictedKeys, DateTimeOffset At)
{
    /// <summary>used / max, or null when Redis has no maxmemory (nothing to be a fraction of).</summary>
    public double? Ratio => MaxBytes > 0 ? (double)UsedBytes / MaxBytes : null;
}
