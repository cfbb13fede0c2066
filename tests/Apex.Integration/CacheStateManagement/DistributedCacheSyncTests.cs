using Apex.Integration.Infrastructure;
using Apex.Platform.Caching.Source;
using Apex.Platform.Caching.Sync;
using Apex.Platform.Caching.Tiered;

namespace Apex.Integration.CacheStateManagement;

/// <summary>
/// Plan item 69: three instances hold records in memory (L1) over Redis (L2) in front of
/// PostgreSQL. An update on one reaches the others' memory; concurrent writers are resolved by
/// version, so one wins and the other is told (or merges and retries) - never a silent lost update.
/// </summary>
[PlanItem(69)]
[BusinessValue("All tiers", "Every instance answers with the same, latest data",
    "Consistency worth $7K MRR multi-instance accuracy", "Instances can be added behind the load balancer without sticky routing")]
public sealed class DistributedCacheSyncTests(DistributedCacheSyncTests.Host host) : IClassFixture<DistributedCacheSyncTests.Host>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public sealed class Host(PostgresServer postgres, RedisServer redis) : CacheClassHost(postgres, redis)
    {
        public CacheNode[] Nodes { get; private set; } = [];

        protected override string Owner => "item69";

        public override async ValueTask InitializeAsync()
        {
            await base.InitializeAsync();
            Nodes = [await StartNodeAsync(), await StartNodeAsync(), await StartNodeAsync()];
        }
    }

    private SyncedRecords On(int node) => host.Nodes[node].Get<SyncedRecords>();

    private RecordStore Source => host.Nodes[0].Get<RecordStore>();

    [Fact]
    public async Task Update_OnOneInstance_ReplacesTheCopyInEveryOtherInstancesMemory()
    {
        await Source.PutAsync("account:1:plan", "basic");
        foreach (var node in Enumerable.Range(0, 3)) Assert.Equal(1, (await On(node).GetAsync("account:1:plan", Cancel))!.Version);

        var result = await On(0).UpdateAsync("account:1:plan", 1, "pro", Cancel);

        Assert.True(result.Written);
        foreach (var node in new[] { 1, 2 })
        {
            await Eventually.TrueAsync(async () => (await On(node).GetAsync("account:1:plan", Cancel))?.Body == "pro");
            Assert.True(host.Nodes[node].Get<TieredCache>().InvalidationsReceived > 0);
        }
    }

    [Fact]
    public async Task ConcurrentWriters_OnTheSameVersion_OneWins_AndTheOtherGetsTheWinnersRecord()
    {
        await Source.PutAsync("account:2:seats", "5");
        var read = (await On(1).GetAsync("account:2:seats", Cancel))!;

        var results = await Task.WhenAll(
            On(1).UpdateAsync("account:2:seats", read.Version, "8", Cancel),
            On(2).UpdateAsync("account:2:seats", read.Version, "6", Cancel));

        var winner = Assert.Single(results, r => r.Written);
        var loser = Assert.Single(results, r => !r.Written);
        Assert.Equal(read.Version + 1, winner.Current!.Version);
        Assert.Equal(winner.Current, loser.Current);
        Assert.Equal(winner.Current.Body, (await Source.FindAsync("account:2:seats"))!.Body);
    }

    [Fact]
    public async Task ManyWritersMergingOnConflict_OnThreeInstances_LoseNoUpdate()
    {
        await Source.PutAsync("team:3:members", "");

        var writes = Enumerable.Range(0, 24).Select(i => Task.Run(() =>
            On(i % 3).UpdateAsync("team:3:members", r => r.Body.Length == 0 ? $"m{i}" : $"{r.Body},m{i}", 50, Cancel)));
        var merged = await Task.WhenAll(writes);

        var final = (await Source.FindAsync("team:3:members"))!;
        Assert.Equal(Enumerable.Range(0, 24).Select(i => $"m{i}").Order(), final.Body.Split(',').Order());
        Assert.Equal(25, final.Version);
        Assert.Contains(merged, m => m.Attempts > 1);
        foreach (var node in Enumerable.Range(0, 3))
        {
            await Eventually.TrueAsync(async () => (await On(node).GetAsync("team:3:members", Cancel))?.Version == 25);
        }
    }

    [Fact]
    public async Task Update_ThatLosesEveryRound_FailsWithAConflict_AndOverwritesNothing()
    {
        await Source.PutAsync("doc:4:title", "draft");
        var rounds = 0;

        var conflict = await Assert.ThrowsAsync<WriteConflictException>(() => On(0).UpdateAsync("doc:4:title", current =>
        {
            // Another instance writes between every read and write of this one.
            var competitor = On(1).UpdateAsync("doc:4:title", current.Version, $"theirs-{++rounds}", Cancel).GetAwaiter().GetResult();
            Assert.True(competitor.Written);
            return "mine";
        }, maxAttempts: 3, Cancel));

        var final = (await Source.FindAsync("doc:4:title"))!;
        Assert.Equal(("theirs-3", 4L), (final.Body, final.Version));
        Assert.Equal(4, conflict.CurrentVersion);
    }

    [Fact]
    public async Task Validate_FindsCopiesStaleAgainstTheSource_AndReplacesThem()
    {
        await Source.PutAsync("price:5", "100");
        await Source.PutAsync("price:6", "200");
        await On(2).GetAsync("price:5", Cancel);
        await On(2).GetAsync("price:6", Cancel);
        await Source.PutAsync("price:5", "110");

        var stale = await On(2).ValidateAsync(["price:5", "price:6"], Cancel);

        Assert.Equal([new StaleEntry("price:5", 1, 2)], stale);
        Assert.Equal("110", (await On(2).GetAsync("price:5", Cancel))!.Body);
    }
}
