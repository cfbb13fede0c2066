using Apex.Integration.Infrastructure;
using Apex.Platform.Caching.Invalidation;
using Apex.Platform.Caching.Source;
using Apex.Platform.Caching.Tiered;
using StackExchange.Redis;

namespace Apex.Integration.CacheStateManagement;

/// <summary>
/// Plan item 66: two instances cache records from PostgreSQL in their memory over one Redis.
/// Invalidating one key, a key pattern (found with SCAN) or a tag removes the entries in Redis and
/// in both instances' memory, and cascades to the entries derived from them.
/// </summary>
[PlanItem(66)]
[BusinessValue("All tiers", "Users never see data the platform has already changed",
    "Cache consistency worth $8K MRR data accuracy", "Caching can be used for more data without risking stale answers")]
public sealed class RedisCacheInvalidationCascadeTests(RedisCacheInvalidationCascadeTests.Host host) : IClassFixture<RedisCacheInvalidationCascadeTests.Host>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public sealed class Host(PostgresServer postgres, RedisServer redis) : CacheClassHost(postgres, redis)
    {
        public CacheNode A { get; private set; } = null!;

        public CacheNode B { get; private set; } = null!;

        public ConnectionMultiplexer Connection { get; private set; } = null!;

        protected override string Owner => "item66";

        public override async ValueTask InitializeAsync()
        {
            await base.InitializeAsync();
            A = await StartNodeAsync();
            B = await StartNodeAsync();
            // Admin mode for INFO commandstats.
            Connection = Own(await ConnectionMultiplexer.ConnectAsync(Redis.ConnectionString + ",allowAdmin=true"));
        }
    }

    private RecordStore Source => host.A.Get<RecordStore>();

    [Fact]
    public async Task InvalidateKey_RemovesTheEntryFromRedisAndFromEveryInstance_WhenTheSourceChanged()
    {
        await Source.PutAsync("price:1", "10");
        Assert.Equal("10", await ReadAsync(host.A, "price:1"));
        Assert.Equal("10", await ReadAsync(host.B, "price:1"));
        await Source.PutAsync("price:1", "12");
        Assert.Equal("10", await ReadAsync(host.B, "price:1"));

        var report = await host.A.Get<CacheInvalidator>().InvalidateKeyAsync("price:1", Cancel);

        Assert.Equal(["price:1"], report.Removed);
        Assert.Equal("12", await ReadAsync(host.A, "price:1"));
        await Eventually.TrueAsync(async () => await ReadAsync(host.B, "price:1") == "12");
        Assert.True(host.B.Get<TieredCache>().InvalidationsReceived > 0);
    }

    [Fact]
    public async Task InvalidatePattern_RemovesOnlyMatchingKeys_FoundWithScanNotKeys()
    {
        for (var i = 0; i < 30; i++) await Source.PutAsync($"product:{i}:detail", $"p{i}");
        for (var i = 0; i < 5; i++) await Source.PutAsync($"order:{i}", $"o{i}");
        for (var i = 0; i < 30; i++) await ReadAsync(host.B, $"product:{i}:detail");
        for (var i = 0; i < 5; i++) await ReadAsync(host.B, $"order:{i}");
        var before = await CommandCallsAsync();

        var report = await host.A.Get<CacheInvalidator>().InvalidatePatternAsync("product:*:detail", Cancel);

        var after = await CommandCallsAsync();
        var l2 = host.A.Get<TieredCache>().L2Prefix;
        Assert.Equal(30, report.Matched.Count);
        Assert.False(await Db.KeyExistsAsync(l2 + "product:7:detail"));
        Assert.True(await Db.KeyExistsAsync(l2 + "order:3"));
        Assert.True(after.Scan > before.Scan);
        Assert.Equal(before.Keys, after.Keys);
        await Source.PutAsync("product:7:detail", "p7-new");
        await Source.PutAsync("order:3", "o3-new");
        await Eventually.TrueAsync(async () => await ReadAsync(host.B, "product:7:detail") == "p7-new");
        Assert.Equal("o3", await ReadAsync(host.B, "order:3"));
    }

    [Fact]
    public async Task InvalidateKey_CascadesAlongTheDependencyGraph_EachEntryOnce_EvenWithACycle()
    {
        var graph = host.A.Get<DependencyGraph>();
        foreach (var key in new[] { "user:5:profile", "team:9:roster", "team:9:dashboard", "user:6:profile" }) await Source.PutAsync(key, "v1");
        await graph.AddAsync("user:5:profile", "team:9:roster");
        await graph.AddAsync("team:9:roster", "team:9:dashboard");
        await graph.AddAsync("team:9:dashboard", "user:5:profile");
        foreach (var key in new[] { "user:5:profile", "team:9:roster", "team:9:dashboard", "user:6:profile" })
        {
            await ReadAsync(host.B, key);
            await Source.PutAsync(key, "v2");
        }

        var report = await host.A.Get<CacheInvalidator>().InvalidateKeyAsync("user:5:profile", Cancel);

        Assert.Equal(["user:5:profile", "team:9:roster", "team:9:dashboard"], report.Removed);
        await Eventually.TrueAsync(async () => await ReadAsync(host.B, "team:9:dashboard") == "v2");
        Assert.Equal("v2", await ReadAsync(host.B, "team:9:roster"));
        Assert.Equal("v1", await ReadAsync(host.B, "user:6:profile"));
    }

    [Fact]
    public async Task InvalidateTag_DropsTaggedEntriesOnEveryInstance_AndKeepsOthers()
    {
        await Source.PutAsync("plan:basic", "5");
        await Source.PutAsync("plan:pro", "20");
        await Source.PutAsync("region:eu", "eu-1");
        foreach (var node in new[] { host.A, host.B })
        {
            await ReadAsync(node, "plan:basic", ["pricing"]);
            await ReadAsync(node, "plan:pro", ["pricing"]);
            await ReadAsync(node, "region:eu", ["geo"]);
        }

        await Source.PutAsync("plan:basic", "6");
        await Source.PutAsync("region:eu", "eu-2");
        await host.A.Get<CacheInvalidator>().InvalidateTagAsync("pricing", Cancel);

        Assert.Equal("6", await ReadAsync(host.A, "plan:basic", ["pricing"]));
        await Eventually.TrueAsync(async () => await ReadAsync(host.B, "plan:basic", ["pricing"]) == "6");
        Assert.Equal("eu-1", await ReadAsync(host.B, "region:eu", ["geo"]));
    }

    [Fact]
    public async Task Listener_IgnoresAForeignMessage_AndStillAppliesTheNextInvalidation()
    {
        await Source.PutAsync("flag:beta", "off");
        Assert.Equal("off", await ReadAsync(host.B, "flag:beta"));
        await host.Connection.GetSubscriber().PublishAsync(RedisChannel.Literal(host.Prefix + "cache:invalidate"), "{not json");
        await Source.PutAsync("flag:beta", "on");

        var report = await host.A.Get<CacheInvalidator>().InvalidateKeyAsync("flag:beta", Cancel);
        var missing = await host.A.Get<CacheInvalidator>().InvalidateKeyAsync("flag:never-cached", Cancel);

        Assert.Equal(["flag:beta"], report.Removed);
        Assert.Equal(["flag:never-cached"], missing.Removed);
        await Eventually.TrueAsync(async () => await ReadAsync(host.B, "flag:beta") == "on");
    }

    private IDatabase Db => host.Connection.GetDatabase();

    private static async Task<string?> ReadAsync(CacheNode node, string key, string[]? tags = null)
    {
        var source = node.Get<RecordStore>();
        var record = await node.Get<TieredCache>().GetOrLoadAsync(key, async ct => await source.FindAsync(key, ct), tags, cancellationToken: Cancel);
        return record?.Body;
    }

    private async Task<(long Scan, long Keys)> CommandCallsAsync()
    {
        var info = await host.Connection.GetServers()[0].InfoAsync("commandstats");
        var stats = info.SelectMany(g => g).ToDictionary(p => p.Key, p => p.Value);
        return (Calls(stats, "cmdstat_scan"), Calls(stats, "cmdstat_keys"));
    }

    private static long Calls(Dictionary<string, string> stats, string command) =>
        stats.TryGetValue(command, out var line) ? long.Parse(line.Split(',')[0].Split('=')[1]) : 0;
}
