using Apex.Integration.Infrastructure;
using Apex.Platform.Data.Sync;
using Npgsql;

namespace Apex.Integration.DatabaseCoordination;

/// <summary>
/// Plan item 51: orders are written to PostgreSQL together with an outbox row in one transaction;
/// the relay moves outbox rows into ClickHouse counted once, even when a relay dies after the
/// ClickHouse insert and before marking its rows; a rolled-back order never reaches ClickHouse; a
/// consistency check compares the two stores.
/// </summary>
[PlanItem(51)]
[BusinessValue("All tiers (analytics and billing dashboards)", "Analytics that agree with the system of record",
    "Data consistency worth $10K MRR integrity", "Revenue and usage reports in ClickHouse match PostgreSQL to the cent")]
public sealed class PostgresClickHouseSyncTests(PostgresClickHouseSyncTests.Stores stores) : IClassFixture<PostgresClickHouseSyncTests.Stores>
{
    private const string PostgresTotals = "SELECT id::text, amount_cents::text FROM orders";
    private const string ClickHouseTotals = "SELECT order_id AS key, toString(sum(amount_cents)) AS value FROM order_facts GROUP BY order_id";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public sealed record OrderFact(string OrderId, string Tenant, long AmountCents);

    /// <summary>One PostgreSQL and one ClickHouse database per test: the relay drains the whole outbox, so tests may not share one.</summary>
    public sealed class Stores(PostgresServer postgres, ClickHouseServer clickHouse) : ClassDatabase(postgres)
    {
        protected override string Owner => "item51";

        public ClickHouseServer ClickHouse => clickHouse;

        public async Task<(NpgsqlDataSource Pg, ClassClickHouse Ch)> FreshAsync()
        {
            var pg = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(await Server.CreateDatabaseAsync(Owner)) { Pooling = true }.ConnectionString);
            await using (var ddl = pg.CreateCommand(TransactionalOutbox.Schema + "; CREATE TABLE orders (id text PRIMARY KEY, tenant text NOT NULL, amount_cents bigint NOT NULL)"))
            {
                await ddl.ExecuteNonQueryAsync(Ct);
            }

            var ch = await ClassClickHouse.CreateAsync(clickHouse, Owner);
            await ch.ExecuteAsync($"CREATE TABLE {ch.Database}.order_facts (event_id String, order_id String, tenant String, amount_cents Int64) ENGINE = MergeTree() ORDER BY (order_id, event_id)");
            return (pg, ch);
        }
    }

    [Fact]
    public async Task Relay_CopiesEveryCommittedOrderOnce_AndTheStoresAgree()
    {
        var (pg, ch) = await stores.FreshAsync();
        await using var _ = pg;
        using var __ = ch;
        for (var i = 1; i <= 25; i++) await PlaceOrderAsync(pg, $"o-{i}", i * 100, commit: true);

        var relayed = await new OutboxRelay(pg, ch.Client).DrainAsync(batchSize: 10, Ct);
        var again = await new OutboxRelay(pg, ch.Client).DrainAsync(batchSize: 10, Ct);
        var report = await new StoreConsistencyCheck(pg, ch.Client).CompareAsync(PostgresTotals, ClickHouseTotals, Ct);

        Assert.Equal(new RelayResult(25, 25, 0), relayed);
        Assert.Equal(new RelayResult(0, 0, 0), again);
        Assert.True(report.Consistent);
        Assert.Equal(25, await ch.CountAsync("SELECT count() FROM order_facts"));
        Assert.Equal(32_500, await ch.CountAsync("SELECT sum(amount_cents) FROM order_facts"));
    }

    [Fact]
    public async Task Relay_KilledAfterTheClickHouseInsertBeforeMarking_IsCountedOnceByTheNextRelay()
    {
        var (pg, ch) = await stores.FreshAsync();
        await using var _ = pg;
        using var __ = ch;
        for (var i = 1; i <= 5; i++) await PlaceOrderAsync(pg, $"k-{i}", 1_000, commit: true);
        // The database refuses the relay's mark: the relay dies exactly between ClickHouse and PostgreSQL.
        await ExecAsync(pg, """
            CREATE FUNCTION refuse_mark() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'relay process lost'; END $$;
            CREATE TRIGGER refuse_mark BEFORE UPDATE ON outbox FOR EACH ROW EXECUTE FUNCTION refuse_mark();
            """);

        var died = await Assert.ThrowsAsync<PostgresException>(() => new OutboxRelay(pg, ch.Client).RelayOnceAsync(10, Ct));
        var unmarked = await ScalarAsync<long>(pg, "SELECT count(*) FROM outbox WHERE relayed_at IS NULL");
        var inClickHouse = await ch.CountAsync("SELECT count() FROM order_facts");
        await ExecAsync(pg, "DROP TRIGGER refuse_mark ON outbox");
        var next = await new OutboxRelay(pg, ch.Client).RelayOnceAsync(10, Ct);

        Assert.Contains("relay process lost", died.MessageText, StringComparison.Ordinal);
        Assert.Equal((5L, 5L), (unmarked, inClickHouse));
        Assert.Equal(new RelayResult(5, 0, 5), next);
        Assert.Equal(5, await ch.CountAsync("SELECT count() FROM order_facts"));
        Assert.Equal(0L, await ScalarAsync<long>(pg, "SELECT count(*) FROM outbox WHERE relayed_at IS NULL"));
        Assert.True((await new StoreConsistencyCheck(pg, ch.Client).CompareAsync(PostgresTotals, ClickHouseTotals, Ct)).Consistent);
    }

    [Fact]
    public async Task RolledBackOrder_NeverReachesClickHouse()
    {
        var (pg, ch) = await stores.FreshAsync();
        await using var _ = pg;
        using var __ = ch;
        await PlaceOrderAsync(pg, "kept", 700, commit: true);
        await PlaceOrderAsync(pg, "abandoned", 900, commit: false);

        var relayed = await new OutboxRelay(pg, ch.Client).DrainAsync(10, Ct);

        Assert.Equal(new RelayResult(1, 1, 0), relayed);
        Assert.Equal(0, await ch.CountAsync("SELECT count() FROM order_facts WHERE order_id = 'abandoned'"));
        Assert.True((await new StoreConsistencyCheck(pg, ch.Client).CompareAsync(PostgresTotals, ClickHouseTotals, Ct)).Consistent);
    }

    [Fact]
    public async Task TwoRelaysAtOnce_ShareTheOutbox_AndEachOrderLandsOnce()
    {
        var (pg, ch) = await stores.FreshAsync();
        await using var _ = pg;
        using var __ = ch;
        for (var i = 1; i <= 40; i++) await PlaceOrderAsync(pg, $"p-{i}", 10, commit: true);

        var results = await Task.WhenAll(new OutboxRelay(pg, ch.Client).DrainAsync(5, Ct), new OutboxRelay(pg, ch.Client).DrainAsync(5, Ct));

        Assert.Equal(40, results.Sum(r => r.Inserted));
        Assert.Equal(40, await ch.CountAsync("SELECT count() FROM order_facts"));
        Assert.Equal(40, await ch.CountAsync("SELECT uniqExact(order_id) FROM order_facts"));
    }

    [Fact]
    public async Task ConsistencyCheck_ReportsMissingExtraAndDifferingOrders()
    {
        var (pg, ch) = await stores.FreshAsync();
        await using var _ = pg;
        using var __ = ch;
        foreach (var id in new[] { "c-1", "c-2", "c-3" }) await PlaceOrderAsync(pg, id, 500, commit: true);
        await new OutboxRelay(pg, ch.Client).DrainAsync(10, Ct);
        await ExecAsync(pg, "INSERT INTO orders VALUES ('c-4', 't', 100); UPDATE orders SET amount_cents = 550 WHERE id = 'c-2'");
        await ch.ExecuteAsync($"INSERT INTO {ch.Database}.order_facts VALUES ('manual', 'c-9', 't', 1)");

        var report = await new StoreConsistencyCheck(pg, ch.Client).CompareAsync(PostgresTotals, ClickHouseTotals, Ct);

        Assert.False(report.Consistent);
        Assert.Equal(["c-4"], report.MissingInClickHouse);
        Assert.Equal(["c-9"], report.OnlyInClickHouse);
        Assert.Equal([new ValueMismatch("c-2", "550", "500")], report.Mismatched);
    }

    private static async Task PlaceOrderAsync(NpgsqlDataSource pg, string id, long cents, bool commit)
    {
        await using var connection = await pg.OpenConnectionAsync(Ct);
        await using var transaction = await connection.BeginTransactionAsync(Ct);
        await using (var insert = new NpgsqlCommand("INSERT INTO orders VALUES ($1, 'tenant-a', $2)", connection, transaction))
        {
            insert.Parameters.Add(new() { Value = id });
            insert.Parameters.Add(new() { Value = cents });
            await insert.ExecuteNonQueryAsync(Ct);
        }

        await TransactionalOutbox.EnqueueAsync(transaction, "order_facts", new OrderFact(id, "tenant-a", cents), Ct);
        if (commit) await transaction.CommitAsync(Ct);
        else await transaction.RollbackAsync(Ct);
    }

    private static async Task ExecAsync(NpgsqlDataSource pg, string sql)
    {
        await using var command = pg.CreateCommand(sql);
        await command.ExecuteNonQueryAsync(Ct);
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlDataSource pg, string sql)
    {
        await using var command = pg.CreateCommand(sql);
        return (T)(await command.ExecuteScalarAsync(Ct))!;
    }
}
