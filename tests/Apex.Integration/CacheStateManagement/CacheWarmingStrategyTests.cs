using Apex.Integration.Infrastructure;
using Apex.Platform.Caching.Source;
using Apex.Platform.Caching.Tiered;
using Apex.Platform.Caching.Warming;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using Record = Apex.Platform.Caching.Source.Record;

namespace Apex.Integration.CacheStateManagement;

/// <summary>
/// Plan item 67: an instance warms its cache from PostgreSQL when it starts, highest priority first,
/// reports progress and becomes ready once the critical entries are warm; it warms again on its
/// schedule (the platform clock); and a warm-up that cannot warm everything says what is missing.
/// </summary>
[PlanItem(67)]
[BusinessValue("All tiers", "Fast first responses after a deploy or scale-out",
    "Performance worth $5K MRR initial response time", "New instances take traffic warm, so scaling out does not slow users down")]
public sealed class CacheWarmingStrategyTests(CacheWarmingStrategyTests.Host host) : IClassFixture<CacheWarmingStrategyTests.Host>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public sealed class Host(PostgresServer postgres, RedisServer redis) : CacheClassHost(postgres, redis)
    {
        protected override string Owner => "item67";

        private CacheNode _seeder = null!;

        public override async ValueTask InitializeAsync()
        {
            await base.InitializeAsync();
            _seeder = await StartNodeAsync();
        }

        /// <summary>Writes records through a node that warms nothing, so each test's node starts against data.</summary>
        public async Task<RecordStore> SeedAsync(params (string Key, int Priority)[] records)
        {
            var store = _seeder.Get<RecordStore>();
            foreach (var (key, priority) in records) await store.PutAsync(key, "body of " + key, priority);
            return store;
        }

        public static Dictionary<string, string?> Warmup(string prefix, string? required = null, string interval = "00:00:00")
        {
            var settings = new Dictionary<string, string?>
            {
                ["Platform:Caching:Warmup:Prefixes:0"] = prefix,
                ["Platform:Caching:Warmup:CriticalPriority"] = "100",
                ["Platform:Caching:WarmupInterval"] = interval,
            };
            if (required is not null) settings["Platform:Caching:Warmup:RequiredKeys:0"] = required;
            return settings;
        }
    }

    [Fact]
    public async Task WarmAtStart_WarmsByPriority_AndIsReadyOnceTheCriticalEntriesAreWarm()
    {
        await host.SeedAsync(("start:a", 0), ("start:b", 100), ("start:c", 50), ("start:d", 100), ("start:e", 0));
        var progress = new List<(int Warmed, bool Ready)>();
        var node = await host.StartNodeAsync(Host.Warmup("start:"),
            sp => sp.GetRequiredService<WarmupMonitor>().Changed += s => { lock (progress) progress.Add((s.Warmed.Count, s.Ready)); });
        var monitor = node.Get<WarmupMonitor>();

        await Eventually.TrueAsync(() => Task.FromResult(monitor.Current.Finished));

        Assert.Equal(["start:b", "start:d", "start:c", "start:a", "start:e"], monitor.Current.Warmed);
        Assert.Empty(monitor.Current.Failed);
        lock (progress) Assert.Equal(2, progress.First(p => p.Ready).Warmed);
        var readsBefore = node.Get<RecordStore>().Reads;
        var cached = await node.Get<TieredCache>().GetOrLoadAsync<Record?>("start:e", _ => throw new InvalidOperationException("not warm"), cancellationToken: Cancel);
        Assert.Equal("body of start:e", cached?.Body);
        Assert.Equal(readsBefore, node.Get<RecordStore>().Reads);
        Assert.Equal(HealthStatus.Healthy, (await HealthAsync(node)).Status);
    }

    [Fact]
    public async Task ScheduledWarmup_RunsAgainEachInterval_AndWarmsRecordsAddedSince()
    {
        var store = await host.SeedAsync(("sched:1", 100));
        var node = await host.StartNodeAsync(Host.Warmup("sched:", interval: "00:10:00"));
        var monitor = node.Get<WarmupMonitor>();
        await Eventually.TrueAsync(() => Task.FromResult(monitor.Current is { Run: 1, Finished: true }));
        await store.PutAsync("sched:2", "added later", 10);

        host.Clock.Advance(TimeSpan.FromMinutes(10));

        await Eventually.TrueAsync(() => Task.FromResult(monitor.Current is { Run: 2, Finished: true }));
        Assert.Equal(["sched:1", "sched:2"], monitor.Current.Warmed);
        Assert.Equal(host.Clock.GetUtcNow(), monitor.Current.StartedAt);
    }

    [Fact]
    public async Task Warmup_ReportsTheEntriesItCouldNotWarm_AndIsNotReady_WhenACriticalKeyIsMissing()
    {
        await host.SeedAsync(("part:1", 100), ("part:2", 10));
        var node = await host.StartNodeAsync(Host.Warmup("part:", required: "part:missing"));
        var monitor = node.Get<WarmupMonitor>();

        await Eventually.TrueAsync(() => Task.FromResult(monitor.Current.Finished));

        Assert.Equal(["part:1", "part:2"], monitor.Current.Warmed);
        Assert.Equal([new NotWarmed("part:missing", "not found in the source")], monitor.Current.Failed);
        Assert.False(monitor.Current.Ready);
        var health = await HealthAsync(node);
        Assert.Equal(HealthStatus.Unhealthy, health.Status);
        Assert.Contains("part:missing: not found in the source", (string[])health.Entries["cache-warmup"].Data["notWarmed"]);
    }

    [Fact]
    public async Task Warmup_ReportsEverythingAsNotWarmed_WhenTheSourceIsUnavailable()
    {
        // A database of its own: terminating its connections must not break the other tests' pools.
        var own = await host.CreateDatabaseAsync("item67down");
        var node = await host.StartNodeAsync(new Dictionary<string, string?>(Host.Warmup("down:", required: "down:required"))
        {
            ["Platform:Postgres:ConnectionString"] = own,
        });
        await node.Get<RecordStore>().PutAsync("down:1", "body", 100);
        await Eventually.TrueAsync(() => Task.FromResult(node.Get<WarmupMonitor>().Current.Finished));
        var database = new NpgsqlConnectionStringBuilder(own).Database!;
        await AdminAsync($"ALTER DATABASE \"{database}\" ALLOW_CONNECTIONS false; SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{database}'");
        try
        {
            var status = await node.Get<CacheWarmer>().WarmAsync(Cancel);

            Assert.Equal(2, status.Run);
            Assert.Empty(status.Warmed);
            Assert.Equal(["down:required", "down:*"], status.Failed.Select(f => f.Key));
            Assert.All(status.Failed, f => Assert.StartsWith("source unavailable", f.Reason));
            Assert.False(status.Ready);
        }
        finally
        {
            await AdminAsync($"ALTER DATABASE \"{database}\" ALLOW_CONNECTIONS true");
        }
    }

    private static Task<HealthReport> HealthAsync(CacheNode node) =>
        node.Get<HealthCheckService>().CheckHealthAsync(c => c.Tags.Contains("ready"), Cancel);

    private async Task AdminAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(host.AdminConnectionString);
        await connection.OpenAsync(Cancel);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(Cancel);
    }
}
