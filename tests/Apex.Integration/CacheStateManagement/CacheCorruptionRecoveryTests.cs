using Apex.Integration.Infrastructure;
using Apex.Platform.Caching.Integrity;
using Apex.Platform.Caching.Source;
using StackExchange.Redis;

namespace Apex.Integration.CacheStateManagement;

/// <summary>
/// Plan item 73: cached records carry a checksum and a schema version. A value changed after it
/// was written, written by someone else, or of another schema is detected on read (or by a scrub),
/// moved to quarantine with its reason, rebuilt from PostgreSQL and counted.
/// </summary>
[PlanItem(73)]
[BusinessValue("All tiers", "A damaged cache entry never reaches a user",
    "Data integrity worth $6K MRR reliability", "Cache contents can be trusted after crashes, partial writes and deploys that change schemas")]
public sealed class CacheCorruptionRecoveryTests(CacheCorruptionRecoveryTests.Host host) : IClassFixture<CacheCorruptionRecoveryTests.Host>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public sealed class Host(PostgresServer postgres, RedisServer redis) : CacheClassHost(postgres, redis)
    {
        public CacheNode Node { get; private set; } = null!;

        public ConnectionMultiplexer Connection { get; private set; } = null!;

        protected override string Owner => "item73";

        public override async ValueTask InitializeAsync()
        {
            await base.InitializeAsync();
            Node = await StartNodeAsync();
            Connection = Own(await Redis.ConnectAsync());
        }
    }

    private VerifiedCache Cache => host.Node.Get<VerifiedCache>();

    private RecordStore Source => host.Node.Get<RecordStore>();

    private IDatabase Db => host.Connection.GetDatabase();

    [Fact]
    public async Task FlippedByte_IsDetected_Quarantined_RebuiltFromPostgres_AndCounted()
    {
        await Source.PutAsync("invoice:1", "total=120.00");
        Assert.Equal("total=120.00", (await Cache.GetAsync("invoice:1", Cancel))?.Body);
        var sealedValue = (string)(await Db.StringGetAsync(Cache.Key("invoice:1")))!;
        var corrupted = sealedValue.Replace("120.00", "920.00", StringComparison.Ordinal);
        await Db.StringSetAsync(Cache.Key("invoice:1"), corrupted);
        var before = Cache.Detected(CorruptionReason.Checksum);
        var readsBefore = Source.Reads;

        var record = await Cache.GetAsync("invoice:1", Cancel);

        Assert.Equal("total=120.00", record?.Body);
        Assert.Equal(before + 1, Cache.Detected(CorruptionReason.Checksum));
        Assert.Equal(readsBefore + 1, Source.Reads);
        Assert.Equal(corrupted, (string?)await Db.HashGetAsync(Cache.QuarantineKey("invoice:1"), "value"));
        Assert.Equal("Checksum", (string?)await Db.HashGetAsync(Cache.QuarantineKey("invoice:1"), "reason"));
        Assert.Equal(sealedValue, (string?)await Db.StringGetAsync(Cache.Key("invoice:1")));
    }

    [Theory]
    [InlineData("{\"Key\":\"invoice:2\",\"Version\":1,\"Body\":\"from another app\",\"Priority\":0}", CorruptionReason.Foreign)]
    [InlineData("APX|2|0123", CorruptionReason.Foreign)]
    [InlineData("schema:1", CorruptionReason.Schema)]
    [InlineData("payload:not-json", CorruptionReason.Payload)]
    public async Task ForeignTruncatedOldSchemaOrUnreadableValue_IsRejectedWithItsReason_AndRebuilt(string stored, CorruptionReason reason)
    {
        await Source.PutAsync("invoice:2", "total=7.50");
        var value = stored switch
        {
            "schema:1" => IntegrityEnvelope.Seal(1, "{\"Key\":\"invoice:2\",\"Version\":1,\"Body\":\"old shape\",\"Priority\":0}"),
            "payload:not-json" => IntegrityEnvelope.Seal(VerifiedCache.SchemaVersion, "{truncated"),
            _ => stored,
        };
        await Db.StringSetAsync(Cache.Key("invoice:2"), value);
        var before = Cache.Detected(reason);

        var record = await Cache.GetAsync("invoice:2", Cancel);

        Assert.Equal("total=7.50", record?.Body);
        Assert.Equal(before + 1, Cache.Detected(reason));
        Assert.Equal(reason.ToString(), (string?)await Db.HashGetAsync(Cache.QuarantineKey("invoice:2"), "reason"));
    }

    [Fact]
    public async Task Scrub_FindsEveryCorruptEntryUnderAPrefix_AndLeavesAllOfThemValid()
    {
        for (var i = 0; i < 10; i++)
        {
            await Source.PutAsync($"ledger:{i}", $"balance={i}");
            await Cache.GetAsync($"ledger:{i}", Cancel);
        }

        foreach (var i in new[] { 2, 5, 8 }) await Db.StringSetRangeAsync(Cache.Key($"ledger:{i}"), 30, "XX");

        var quarantined = await Cache.ScrubAsync("ledger:", Cancel);

        Assert.Equal(["ledger:2", "ledger:5", "ledger:8"], quarantined.Select(q => q.Key).Order());
        Assert.Empty(await Cache.ScrubAsync("ledger:", Cancel));
        for (var i = 0; i < 10; i++) Assert.Equal($"balance={i}", (await Cache.GetAsync($"ledger:{i}", Cancel))?.Body);
    }

    [Fact]
    public async Task CorruptEntry_WithNoSourceRecord_IsQuarantined_AndReadsAsMissing()
    {
        await Db.StringSetAsync(Cache.Key("invoice:gone"), "garbage");

        var record = await Cache.GetAsync("invoice:gone", Cancel);

        Assert.Null(record);
        Assert.False(await Db.KeyExistsAsync(Cache.Key("invoice:gone")));
        Assert.True(await Db.KeyExistsAsync(Cache.QuarantineKey("invoice:gone")));
    }
}
