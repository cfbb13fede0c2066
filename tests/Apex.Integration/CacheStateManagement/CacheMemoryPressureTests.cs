using Apex.Integration.CacheStateManagement.Topologies;
using Apex.Integration.Infrastructure;
using Apex.Platform.Caching.Pressure;
using Apex.Platform.Caching.Source;
using Apex.Platform.Caching.Tiered;
using StackExchange.Redis;

namespace Apex.Integration.CacheStateManagement;

/// <summary>
/// Plan item 70: a Redis of its own with maxmemory 4 MB. Filled past it, Redis evicts (allkeys-lru)
/// and the platform reads the evicted entries from PostgreSQL; with noeviction, writes are refused
/// (OOM) and reads still succeed from the source; the memory monitor raises one alert from INFO memory
/// when usage crosses the threshold, and again only after it fell back under it.
/// </summary>
[PlanItem(70)]
[BusinessValue("All tiers", "The platform keeps answering when the cache is full",
    "Stability worth $6K MRR availability", "Cache memory can be sized for cost, because running out degrades speed, not correctness")]
public sealed class CacheMemoryPressureTests(CacheMemoryPressureTests.Host host) : IClassFixture<CacheMemoryPressureTests.Host>
{
    private const int BodyBytes = 40_000;
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public sealed class Host(PostgresServer postgres, RedisServer redis) : CacheClassHost(postgres, redis)
    {
        public RedisProcess Pressure { get; private set; } = null!;

        public ConnectionMultiplexer Admin { get; private set; } = null!;

        protected override string Owner => "item70";

        public override async ValueTask InitializeAsync()
        {
            await base.InitializeAsync();
            Pressure = Own(await LocalRedis.StartServerAsync("redis-maxmemory", "--maxmemory", "4mb", "--maxmemory-policy", "allkeys-lru"));
            Admin = Own(await ConnectionMultiplexer.ConnectAsync(Pressure.Endpoint + ",allowAdmin=true"));
        }

        public Task<CacheNode> StartPressureNodeAsync() => StartNodeAsync(new Dictionary<string, string?>
        {
            ["Platform:Caching:MemoryAlertRatio"] = "0.8",
            ["Platform:Caching:MemoryCheckInterval"] = "00:01:00",
        }, redisConnection: Pressure.Endpoint);

        /// <summary>A clean server with the given policy; each test starts from here.</summary>
        public async Task ResetAsync(string policy)
        {
            var server = Admin.GetServer(Pressure.Endpoint);
            await server.FlushAllDatabasesAsync();
            await server.ConfigSetAsync("maxmemory-policy", policy);
            await server.ConfigSetAsync("maxmemory", "4mb");
        }
    }

    [Fact]
    public async Task FillingPastMaxmemory_EvictsEntries_AndReadsFallBackToPostgres()
    {
        await host.ResetAsync("allkeys-lru");
        var a = await host.StartPressureNodeAsync();
        var keys = await SeedAsync(a, "evict", 150);
        foreach (var key in keys) await ReadAsync(a, key);

        var sample = await a.Get<RedisMemoryMonitor>().SampleAsync();
        var l2 = a.Get<TieredCache>().L2Prefix;
        var missing = 0;
        foreach (var key in keys) missing += await host.Admin.GetDatabase().KeyExistsAsync(l2 + key) ? 0 : 1;
        var b = await host.StartPressureNodeAsync();
        foreach (var key in keys) await ReadAsync(b, key);

        Assert.Equal("allkeys-lru", sample.Policy);
        Assert.True(sample.EvictedKeys > 0, $"no key evicted at {sample.UsedBytes} of {sample.MaxBytes} bytes");
        Assert.True(missing > 0);
        Assert.True(b.Get<RecordStore>().Reads >= missing);
    }

    [Fact]
    public async Task WithNoeviction_CacheWritesAreRefused_AndReadsAreServedFromPostgres()
    {
        await host.ResetAsync("noeviction");
        var node = await host.StartPressureNodeAsync();
        var keys = await SeedAsync(node, "full", 5);
        // Below what an empty Redis uses: every write that needs memory is refused from here on.
        await host.Admin.GetServer(host.Pressure.Endpoint).ConfigSetAsync("maxmemory", "1");
        await Assert.ThrowsAsync<RedisServerException>(() => host.Admin.GetDatabase().StringSetAsync("probe", "x"));

        foreach (var key in keys) await ReadAsync(node, key);

        var l2 = node.Get<TieredCache>().L2Prefix;
        foreach (var key in keys) Assert.False(await host.Admin.GetDatabase().KeyExistsAsync(l2 + key));
        Assert.Equal(keys.Count, node.Get<RecordStore>().Reads);
        Assert.Equal("noeviction", (await node.Get<RedisMemoryMonitor>().SampleAsync()).Policy);
    }

    [Fact]
    public async Task MemoryMonitor_RaisesOneAlertWhenUsageCrossesTheThreshold_AndAnotherOnlyAfterItDropped()
    {
        await host.ResetAsync("allkeys-lru");
        var node = await host.StartPressureNodeAsync();
        var monitor = node.Get<RedisMemoryMonitor>();
        var alerts = node.Get<CacheAlerts>();

        await TickAsync(monitor);
        Assert.Empty(alerts.Recent);
        await FillAsync(120);
        await TickAsync(monitor);
        await TickAsync(monitor);
        var alert = Assert.Single(alerts.Recent);
        Assert.Equal("redis-memory", alert.Kind);
        Assert.Contains("policy allkeys-lru", alert.Message);

        await host.Admin.GetServer(host.Pressure.Endpoint).FlushAllDatabasesAsync();
        await TickAsync(monitor);
        Assert.Single(alerts.Recent);
        await FillAsync(120);
        await TickAsync(monitor);
        Assert.Equal(2, alerts.Recent.Count);
    }

    /// <summary>One tick of the sampling schedule on the platform clock, waited for until its sample is taken.</summary>
    private async Task TickAsync(RedisMemoryMonitor monitor)
    {
        host.Clock.Advance(TimeSpan.FromMinutes(1));
        var now = host.Clock.GetUtcNow();
        await Eventually.TrueAsync(() => Task.FromResult(monitor.Last?.At == now));
    }

    private async Task<List<string>> SeedAsync(CacheNode node, string name, int count)
    {
        var body = new string('x', BodyBytes);
        var keys = Enumerable.Range(0, count).Select(i => $"{name}:{i}:{Guid.NewGuid():N}").ToList();
        foreach (var key in keys) await node.Get<RecordStore>().PutAsync(key, key + body, cancellationToken: Cancel);
        return keys;
    }

    private static async Task ReadAsync(CacheNode node, string key)
    {
        var source = node.Get<RecordStore>();
        var record = await node.Get<TieredCache>().GetOrLoadAsync(key, async ct => await source.FindAsync(key, ct), cancellationToken: Cancel);
        Assert.StartsWith(key + "xxx", record?.Body);
    }

    private async Task FillAsync(int values)
    {
        var database = host.Admin.GetDatabase();
        for (var i = 0; i < values; i++) await database.StringSetAsync($"filler:{i}", new string('f', BodyBytes));
    }
}
