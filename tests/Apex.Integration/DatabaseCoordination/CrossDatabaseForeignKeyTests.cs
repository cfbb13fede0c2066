using Apex.Integration.Infrastructure;
using Apex.Platform.Data.References;
using StackExchange.Redis;

namespace Apex.Integration.DatabaseCoordination;

/// <summary>
/// Plan item 63: ClickHouse rows and Redis keys that name PostgreSQL accounts are checked in bulk;
/// orphans are reported with how many rows or keys name them, and quarantined (moved aside, not
/// deleted) so a second check finds the stores consistent.
/// </summary>
[PlanItem(63)]
[BusinessValue("All tiers", "Referential integrity across PostgreSQL, ClickHouse and Redis",
    "Referential integrity worth $5K MRR consistency", "Deleted accounts leave no orphaned analytics or cached state behind to leak or mislead")]
public sealed class CrossDatabaseForeignKeyTests(CrossDatabaseForeignKeyTests.Stores stores) : IClassFixture<CrossDatabaseForeignKeyTests.Stores>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public sealed class Stores(PostgresServer postgres, RedisServer redis, ClickHouseServer clickHouse) : ClassDatabase(postgres)
    {
        public ClassClickHouse ClickHouse { get; private set; } = null!;

        public ConnectionMultiplexer Redis { get; private set; } = null!;

        public string Prefix { get; } = RedisServer.NewKeyPrefix("item63");

        protected override string Owner => "item63";

        public override async ValueTask InitializeAsync()
        {
            await base.InitializeAsync();
            // 6,000 accounts: more ids than one lookup chunk, so the bulk path is exercised.
            await ExecuteAsync("CREATE TABLE accounts (id bigint PRIMARY KEY); INSERT INTO accounts SELECT generate_series(1, 6000)");
            ClickHouse = await ClassClickHouse.CreateAsync(clickHouse, Owner);
            Redis = await redis.ConnectAsync();
        }

        public CrossStoreReferenceChecker Checker() =>
            new(DataSource, ClickHouse.Client, Redis.GetDatabase(), new ParentTable("accounts", "id", "bigint"));

        public override async ValueTask DisposeAsync()
        {
            ClickHouse.Dispose();
            await Redis.DisposeAsync();
            await base.DisposeAsync();
        }
    }

    [Fact]
    public async Task CheckClickHouse_FindsOrphansAmongThousandsOfIds_WithTheirRowCounts()
    {
        await EventsTableAsync("usage_scan", orphans: [7001, 9999]);

        var report = await stores.Checker().CheckClickHouseAsync("usage_scan", "account_id", Ct);

        Assert.Equal("clickhouse:usage_scan.account_id", report.Source);
        Assert.Equal(6_002, report.CheckedIds);
        Assert.Equal([("7001", 3L), ("9999", 3L)], report.Orphans.Select(o => (o.Id, o.References)));
    }

    [Fact]
    public async Task QuarantineClickHouse_MovesOrphanRowsAside_AndTheRecheckIsClean()
    {
        await EventsTableAsync("usage_fix", orphans: [8000]);
        await stores.ExecuteAsync("DELETE FROM accounts WHERE id = 42");
        var checker = stores.Checker();
        var report = await checker.CheckClickHouseAsync("usage_fix", "account_id", Ct);

        await checker.QuarantineAsync(report, "usage_fix", "account_id", Ct);
        var recheck = await checker.CheckClickHouseAsync("usage_fix", "account_id", Ct);
        await stores.ExecuteAsync("INSERT INTO accounts VALUES (42)");

        Assert.Equal(["42", "8000"], report.Orphans.Select(o => o.Id));
        Assert.Empty(recheck.Orphans);
        Assert.Equal(6, await stores.ClickHouse.CountAsync("SELECT count() FROM usage_fix_quarantine"));
        Assert.Equal(0, await stores.ClickHouse.CountAsync("SELECT count() FROM usage_fix WHERE account_id IN (42, 8000)"));
        Assert.Equal(3 * 5_999, await stores.ClickHouse.CountAsync("SELECT count() FROM usage_fix"));
    }

    [Fact]
    public async Task CheckRedis_ReportsOrphanedKeys_AndQuarantineRenamesThemKeepingTheirValues()
    {
        var redis = stores.Redis.GetDatabase();
        foreach (var id in new[] { 1, 2, 3, 12345 }) await redis.HashSetAsync($"{stores.Prefix}prefs:{id}", "theme", $"t{id}");
        await redis.StringSetAsync($"{stores.Prefix}prefs:ghost", "x");
        var checker = stores.Checker();
        var pattern = $"{stores.Prefix}prefs:*";

        var report = await checker.CheckRedisAsync(pattern, Ct);
        await checker.QuarantineAsync(report, $"{stores.Prefix}quarantine:", Ct);
        var recheck = await checker.CheckRedisAsync(pattern, Ct);

        Assert.Equal(5, report.CheckedIds);
        Assert.Equal(["12345", "ghost"], report.Orphans.Select(o => o.Id));
        Assert.Equal([$"{stores.Prefix}prefs:12345"], report.Orphans[0].Keys);
        Assert.Empty(recheck.Orphans);
        Assert.Equal(3, recheck.CheckedIds);
        Assert.Equal("t12345", (string?)await redis.HashGetAsync($"{stores.Prefix}quarantine:{stores.Prefix}prefs:12345", "theme"));
    }

    [Fact]
    public async Task CheckClickHouse_RefusesAColumnNameThatIsNotAnIdentifier()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => stores.Checker().CheckClickHouseAsync("usage_scan", "account_id); DROP TABLE x; --", Ct));

        Assert.Contains("is not a plain identifier", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Three events for each account 1..6000 and for each orphan id.</summary>
    private async Task EventsTableAsync(string table, long[] orphans)
    {
        await stores.ClickHouse.ExecuteAsync($"CREATE TABLE {stores.ClickHouse.Database}.{table} (account_id UInt64, kind String) ENGINE = MergeTree() ORDER BY account_id");
        var ids = string.Join(",", orphans);
        await stores.ClickHouse.ExecuteAsync($"""
            INSERT INTO {stores.ClickHouse.Database}.{table} SELECT id, kind FROM
            (SELECT arrayJoin(arrayConcat(arrayMap(x -> toUInt64(x + 1), range(6000)), [{ids}])) AS id) ARRAY JOIN ['login', 'query', 'export'] AS kind
            """);
    }
}
