using System.Diagnostics.Metrics;
using System.Net;
using Apex.Integration.Authentication;
using Apex.Integration.Infrastructure;
using Apex.Platform.Caching.Metrics;
using Apex.Platform.Caching.Source;
using Apex.Platform.Caching.Tiered;
using Microsoft.Extensions.DependencyInjection;
using static Apex.Integration.Authentication.AuthApi;
using Record = Apex.Platform.Caching.Source.Record;

namespace Apex.Integration.CacheStateManagement;

/// <summary>
/// Plan item 71: every cache read is measured per key pattern (hits, misses, latency) on the
/// platform's meter; the analysis names the hot keys and the keys stored but never read, and
/// recommends a TTL per pattern from how soon its keys are read again. A signed-in user reads
/// the same figures over HTTP.
/// </summary>
[PlanItem(71)]
[BusinessValue("All tiers", "Cache memory spent on data that is actually read again",
    "Efficiency worth $5K MRR cost optimization", "TTLs and cache size set from measured access, not guesses")]
public sealed class CacheHitRateOptimizationTests(CacheHitRateOptimizationTests.Host host, CacheHitRateOptimizationTests.HttpHost http)
    : IClassFixture<CacheHitRateOptimizationTests.Host>, IClassFixture<CacheHitRateOptimizationTests.HttpHost>
{
    public sealed class Host(PostgresServer postgres, RedisServer redis) : CacheClassHost(postgres, redis)
    {
        protected override string Owner => "item71";
    }

    /// <summary>The platform on Kestrel with auth and cache, for the signed-in path.</summary>
    public sealed class HttpHost(PostgresServer postgres, RedisServer redis) : ClassHost(postgres, redis)
    {
        protected override string Owner => "item71http";

        protected override string[] Services => ["auth", "cache"];
    }

    [Fact]
    public async Task Reads_AreMeasuredPerKeyPattern_AsHitsMissesAndLatency()
    {
        var node = await host.StartNodeAsync();
        using var listener = Listen(node, out var counts);
        await SeedAsync(node, "user:1:profile", "user:2:profile", "user:3:profile", "user:4:profile", "config:theme");

        for (var round = 0; round < 3; round++)
        {
            foreach (var id in new[] { 1, 2, 3, 4 }) await ReadAsync(node, $"user:{id}:profile");
        }

        for (var i = 0; i < 5; i++) await ReadAsync(node, "config:theme");

        var report = node.Get<HitRateAnalyzer>().Analyze();
        var users = report.Patterns.Single(p => p.Pattern == "user:*:profile");
        Assert.Equal((8L, 4L), (users.Hits, users.Misses));
        Assert.Equal(8.0 / 12, users.HitRate, 6);
        Assert.True(users.P99Milliseconds >= users.P50Milliseconds && users.P50Milliseconds > 0);
        Assert.Equal((4L, 1L), (report.Patterns.Single(p => p.Pattern == "config:theme").Hits, report.Patterns.Single(p => p.Pattern == "config:theme").Misses));
        lock (counts)
        {
            Assert.Equal(8, counts[("apex.cache.hits", "user:*:profile")]);
            Assert.Equal(4, counts[("apex.cache.misses", "user:*:profile")]);
            Assert.Equal(17, counts[("apex.cache.read.duration", "user:*:profile")] + counts[("apex.cache.read.duration", "config:theme")]);
        }
    }

    [Fact]
    public async Task Analysis_NamesTheHotKeys_AndTheKeysStoredButNeverRead()
    {
        var node = await host.StartNodeAsync();
        await SeedAsync(node, "home:feed", "user:9:profile");
        var cache = node.Get<TieredCache>();
        foreach (var id in new[] { 1, 2, 3 }) await cache.SetAsync($"promo:{id}", new Record($"promo:{id}", 1, $"body of promo:{id}", 0), cancellationToken: Cancel);

        for (var i = 0; i < 31; i++) await ReadAsync(node, "home:feed");
        for (var i = 0; i < 6; i++) await ReadAsync(node, "user:9:profile");
        await ReadAsync(node, "promo:2");

        var report = node.Get<HitRateAnalyzer>().Analyze(hotKeyCount: 2);
        Assert.Equal(["home:feed", "user:9:profile"], report.HotKeys.Select(k => k.Key));
        Assert.Equal(30, report.HotKeys[0].Hits);
        Assert.Equal(30.0 / 36, report.HotKeys[0].ShareOfHits, 6);
        Assert.Equal(["promo:1", "promo:3"], report.NeverHitKeys);
    }

    [Fact]
    public async Task TtlRecommendation_FollowsHowSoonEachPatternsKeysAreReadAgain()
    {
        var node = await host.StartNodeAsync();
        await SeedAsync(node, [.. Enumerable.Range(0, 4).SelectMany(i => new[] { $"feed:{i}", $"report:{i}", $"audit:{i}" })]);

        for (var minute = 0; minute < 10; minute++)
        {
            for (var tick = 0; tick < 2; tick++)
            {
                foreach (var i in Enumerable.Range(0, 4)) await ReadAsync(node, $"feed:{i}");
                host.Clock.Advance(TimeSpan.FromSeconds(30));
            }

            if (minute % 5 == 0) foreach (var i in Enumerable.Range(0, 4)) await ReadAsync(node, $"report:{i}");
        }

        foreach (var i in Enumerable.Range(0, 4)) await ReadAsync(node, $"audit:{i}");

        var patterns = node.Get<HitRateAnalyzer>().Analyze().Patterns.ToDictionary(p => p.Pattern);
        Assert.Equal(TimeSpan.FromSeconds(30), patterns["feed:*"].RecommendedTtl);
        Assert.Equal(TimeSpan.FromMinutes(5), patterns["report:*"].RecommendedTtl);
        Assert.Null(patterns["audit:*"].RecommendedTtl);
    }

    [Fact]
    public async Task SignedInUser_ReadsRecordsAndTheCachesFiguresOverHttp_AnonymousCallerIsRefused()
    {
        await http.A.Services.GetRequiredService<RecordStore>().PutAsync("plan:42:limits", "seats=10", cancellationToken: Cancel);
        var token = await SignInAsync(http.A, http.Provider, "ops@hitrate.test");

        var anonymous = await GetAsync(http.A, "cache/stats", null);
        var first = await (await GetAsync(http.A, "cache/records/plan:42:limits", token.AccessToken)).ReadAsync<Record>();
        var second = await (await GetAsync(http.A, "cache/records/plan:42:limits", token.AccessToken)).ReadAsync<Record>();
        var missing = await GetAsync(http.A, "cache/records/plan:404:limits", token.AccessToken);
        var stats = await (await GetAsync(http.A, "cache/stats", token.AccessToken)).ReadAsync<HitRateReport>();

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("seats=10", first.Body);
        Assert.Equal(first, second);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        var plan = stats.Patterns.Single(p => p.Pattern == "plan:*:limits");
        Assert.Equal((1L, 2L), (plan.Hits, plan.Misses));
    }

    private static async Task SeedAsync(CacheNode node, params string[] keys)
    {
        foreach (var key in keys) await node.Get<RecordStore>().PutAsync(key, "body of " + key, cancellationToken: Cancel);
    }

    private static async Task ReadAsync(CacheNode node, string key)
    {
        var source = node.Get<RecordStore>();
        var record = await node.Get<TieredCache>().GetOrLoadAsync(key, async ct => await source.FindAsync(key, ct), cancellationToken: Cancel);
        Assert.Equal("body of " + key, record?.Body);
    }

    /// <summary>Counts the measurements of this node's meter only (other nodes of the process publish on the same name).</summary>
    private static MeterListener Listen(CacheNode node, out Dictionary<(string, string), long> counts)
    {
        var scope = node.Get<IMeterFactory>();
        var seen = new Dictionary<(string, string), long>();
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == CacheMetrics.MeterName && ReferenceEquals(instrument.Meter.Scope, scope)) l.EnableMeasurementEvents(instrument);
            },
        };
        void Count(Instrument instrument, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var pattern = string.Empty;
            foreach (var tag in tags) if (tag.Key == "pattern") pattern = (string)tag.Value!;
            lock (seen) seen[(instrument.Name, pattern)] = seen.GetValueOrDefault((instrument.Name, pattern)) + 1;
        }

        listener.SetMeasurementEventCallback<long>((instrument, _, tags, _) => Count(instrument, tags));
        listener.SetMeasurementEventCallback<double>((instrument, _, tags, _) => Count(instrument, tags));
        listener.Start();
        counts = seen;
        return listener;
    }
}
