using System.Diagnostics;
using System.Net;
using Apex.Integration.Infrastructure;
using Apex.Platform.Performance.Latency;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;

namespace Apex.Integration.PerformanceScalability;

/// <summary>
/// Plan item 81: Redis reached through a TCP proxy that adds 150 ms towards the server. The
/// monitor detects the high latency (and not on the direct path); a fixed 100 ms timeout fails
/// every call there while the adaptive timeout stretches to the measured distance; a page of ten
/// keys takes ten round trips uncompensated and one compensated (MGET). The user-visible times of
/// both are measured and written to the output; the assertions rest on round trips and on the
/// injected delay, which is a lower bound whatever the machine's load.
/// </summary>
[PlanItem(81)]
[BusinessValue("International users", "Usable service far from the data centre",
    "Global reach worth $9K MRR international users", "Users on distant networks get pages in one round trip, not ten")]
public sealed class NetworkLatencyCompensationTests(RedisServer redis) : IAsyncLifetime
{
    private static readonly TimeSpan Injected = TimeSpan.FromMilliseconds(150);
    private static readonly TimeSpan Threshold = TimeSpan.FromMilliseconds(100);
    private readonly string _prefix = RedisServer.NewKeyPrefix("item81");
    private LatencyProxy _proxy = null!;
    private ConnectionMultiplexer _distant = null!;
    private ConnectionMultiplexer _near = null!;

    public async ValueTask InitializeAsync()
    {
        var endpoint = ConfigurationOptions.Parse(redis.ConnectionString).EndPoints[0];
        var target = endpoint as IPEndPoint ?? new IPEndPoint((await Dns.GetHostAddressesAsync(((DnsEndPoint)endpoint).Host)).First(), ((DnsEndPoint)endpoint).Port);
        _proxy = new LatencyProxy(target, Injected);
        _distant = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{_proxy.Port},connectTimeout=5000");
        _near = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var keys = Enumerable.Range(0, 10).Select(i => new KeyValuePair<RedisKey, RedisValue>(Key(i), $"widget-{i}")).ToArray();
        await _near.GetDatabase().StringSetAsync(keys);
    }

    [Fact]
    public async Task Monitor_DetectsHighLatency_OnlyBehindTheSlowLink()
    {
        var (distant, near) = (Reader(_distant, out var distantMonitor), Reader(_near, out var nearMonitor));

        for (var i = 0; i < 5; i++)
        {
            Assert.True(await distant.PingAsync() >= Injected);
            await near.PingAsync();
        }

        Assert.True(distantMonitor.IsHigh);
        Assert.False(nearMonitor.IsHigh, $"direct p50 {nearMonitor.Percentile(0.5).TotalMilliseconds:0} ms");
    }

    [Fact]
    public async Task AdaptiveTimeout_Stretches_WhereAFixedTimeoutFailsEveryCall()
    {
        // The fixed timeout runs on a fake clock moved by its 100 ms at once: the answer cannot come
        // before the proxy's 150 ms, so the call must time out, however late a loaded machine
        // would have fired a real 100 ms timer (at load 63 the answer once won that race).
        var clock = new FakeTimeProvider();
        var fixedMonitor = new LatencyMonitor(Threshold);
        var fixedTimeout = new CompensatedRedisReader(_distant.GetDatabase(), fixedMonitor,
            new AdaptiveTimeout(fixedMonitor, Threshold, Threshold), clock);
        var adaptive = Reader(_distant, out var monitor);

        var pending = fixedTimeout.ReadAsync([Key(0)]);
        clock.Advance(Threshold);
        await Assert.ThrowsAsync<TimeoutException>(() => pending);
        var first = await adaptive.ReadAsync([Key(0)]);
        var timeout = new AdaptiveTimeout(monitor, Threshold, TimeSpan.FromSeconds(5)).Current;

        Assert.Equal("widget-0", first[0]);
        Assert.True(monitor.Percentile(1) >= Injected, "the real round trip outlasts the fixed timeout");
        Assert.True(timeout >= Injected * 3, $"adaptive timeout {timeout.TotalMilliseconds:0} ms");
    }

    [Fact]
    public async Task PageRead_TakesOneRoundTrip_WhenCompensatingForHighLatency()
    {
        var keys = Enumerable.Range(0, 10).Select(Key).ToList();
        var reader = Reader(_distant, out var monitor);
        await reader.PingAsync();

        var (plain, plainTime) = await TimedAsync(() => reader.ReadAsync(keys, compensate: false));
        var tripsBefore = reader.RoundTrips;
        var (compensated, compensatedTime) = await TimedAsync(() => reader.ReadAsync(keys));
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"page of 10 keys behind +{Injected.TotalMilliseconds} ms: uncompensated {plainTime.TotalMilliseconds:0} ms, compensated {compensatedTime.TotalMilliseconds:0} ms");

        Assert.True(monitor.IsHigh);
        Assert.Equal(plain, compensated);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (RedisValue)$"widget-{i}"), compensated);
        Assert.Equal(1, reader.RoundTrips - tripsBefore);
        Assert.True(plainTime >= Injected * 10);
    }

    private CompensatedRedisReader Reader(ConnectionMultiplexer connection, out LatencyMonitor monitor)
    {
        monitor = new LatencyMonitor(Threshold);
        return new CompensatedRedisReader(connection.GetDatabase(), monitor,
            new AdaptiveTimeout(monitor, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10)), TimeProvider.System);
    }

    private RedisKey Key(int i) => $"{_prefix}page:{i}";

    private static async Task<(T Result, TimeSpan Elapsed)> TimedAsync<T>(Func<Task<T>> call)
    {
        var clock = Stopwatch.StartNew();
        var result = await call();
        return (result, clock.Elapsed);
    }

    public async ValueTask DisposeAsync()
    {
        await _distant.DisposeAsync();
        await _near.DisposeAsync();
        await _proxy.DisposeAsync();
    }
}
