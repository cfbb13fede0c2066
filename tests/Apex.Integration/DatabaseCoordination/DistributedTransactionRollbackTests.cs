using Apex.Integration.Infrastructure;
using Apex.Platform.Data.ClickHouse;
using Apex.Platform.Data.Sagas;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;

namespace Apex.Integration.DatabaseCoordination;

/// <summary>
/// Plan item 53: the order-fulfilment saga spans PostgreSQL, Redis and ClickHouse. A real failure
/// at each step compensates the steps before it; a coordinator that dies mid-saga leaves its
/// state in PostgreSQL and the next coordinator compensates it once the lease has run out.
/// </summary>
[PlanItem(53)]
[BusinessValue("All tiers (orders and credits)", "No half-done orders across stores",
    "Atomicity worth $8K MRR data integrity", "A failure in any store leaves neither phantom orders, leaked stock nor inflated analytics")]
public sealed class DistributedTransactionRollbackTests(DistributedTransactionRollbackTests.Stores stores) : IClassFixture<DistributedTransactionRollbackTests.Stores>
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(2);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public sealed class Stores(PostgresServer postgres, RedisServer redis, ClickHouseServer clickHouse) : ClassDatabase(postgres)
    {
        private readonly HttpClient _deadHttp = new();

        public ClassClickHouse ClickHouse { get; private set; } = null!;

        public ConnectionMultiplexer Redis { get; private set; } = null!;

        public string Prefix { get; } = RedisServer.NewKeyPrefix("item53");

        public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

        /// <summary>ClickHouse as seen when it is down: nothing listens on the discard port.</summary>
        public ClickHouseHttpClient DeadClickHouse { get; private set; } = null!;

        protected override string Owner => "item53";

        public override async ValueTask InitializeAsync()
        {
            await base.InitializeAsync();
            await ExecuteAsync(SagaStore.Schema + ";" + OrderFulfilmentSaga.PostgresSchema);
            ClickHouse = await ClassClickHouse.CreateAsync(clickHouse, Owner);
            await ClickHouse.ExecuteAsync(OrderFulfilmentSaga.ClickHouseTable(ClickHouse.Database));
            Redis = await redis.ConnectAsync();
            DeadClickHouse = new ClickHouseHttpClient(_deadHttp, Options.Create(new ClickHouseOptions { Endpoint = "http://127.0.0.1:9/", Database = ClickHouse.Database }));
        }

        public SagaCoordinator Coordinator(bool clickHouseDown = false) => new(new SagaStore(DataSource),
            [OrderFulfilmentSaga.Define(DataSource, Redis.GetDatabase(), Prefix, clickHouseDown ? DeadClickHouse : ClickHouse.Client)], Clock, Lease);

        public override async ValueTask DisposeAsync()
        {
            _deadHttp.Dispose();
            ClickHouse.Dispose();
            await Redis.DisposeAsync();
            await base.DisposeAsync();
        }
    }

    [Fact]
    public async Task Run_CompletesEveryStepInEveryStore_WhenNothingFails()
    {
        await StockAsync("sku-ok", 10);

        var run = await stores.Coordinator().RunAsync(OrderFulfilmentSaga.Name, Guid.NewGuid(), Order("ord-ok", "sku-ok", 3), Ct);

        Assert.Equal((SagaStatus.Completed, 4, "7"), (run.Status, run.CompletedSteps, run.Data["stockLeft"]));
        await AssertStoresAsync("ord-ok", "sku-ok", orderStatus: "confirmed", stock: 7, analytics: 3);
    }

    [Fact]
    public async Task Run_FailingAtTheFirstStep_HasNothingToCompensate()
    {
        await StockAsync("sku-dup", 10);
        await stores.ExecuteAsync("INSERT INTO saga_orders VALUES ('ord-dup', 'sku-dup', 1, 'confirmed')");

        var error = await Assert.ThrowsAsync<SagaFailedException>(() => stores.Coordinator().RunAsync(OrderFulfilmentSaga.Name, Guid.NewGuid(), Order("ord-dup", "sku-dup", 2), Ct));

        Assert.Contains("Step 'record-order' failed", error.Message, StringComparison.Ordinal);
        Assert.Contains("duplicate key", error.Message, StringComparison.Ordinal);
        Assert.Equal((SagaStatus.Compensated, 0), (error.Run.Status, error.Run.CompletedSteps));
        await AssertStoresAsync("ord-dup", "sku-dup", orderStatus: "confirmed", stock: 10, analytics: 0);
    }

    [Fact]
    public async Task Run_FailingInRedis_CancelsTheOrderInPostgres()
    {
        await StockAsync("sku-low", 1);

        var error = await Assert.ThrowsAsync<SagaFailedException>(() => stores.Coordinator().RunAsync(OrderFulfilmentSaga.Name, Guid.NewGuid(), Order("ord-low", "sku-low", 5), Ct));

        Assert.Contains("Step 'reserve-stock' failed: out of stock: 1 left", error.Message, StringComparison.Ordinal);
        Assert.Equal(SagaStatus.Compensated, (await new SagaStore(stores.DataSource).FindAsync(error.Run.Id, Ct))!.Status);
        await AssertStoresAsync("ord-low", "sku-low", orderStatus: "cancelled", stock: 1, analytics: 0);
    }

    [Fact]
    public async Task Run_FailingInClickHouse_ReleasesTheStock_AndCancelsTheOrder()
    {
        await StockAsync("sku-ch", 4);

        var error = await Assert.ThrowsAsync<SagaFailedException>(() =>
            stores.Coordinator(clickHouseDown: true).RunAsync(OrderFulfilmentSaga.Name, Guid.NewGuid(), Order("ord-ch", "sku-ch", 4), Ct));

        Assert.Contains("Step 'record-analytics' failed", error.Message, StringComparison.Ordinal);
        Assert.Equal((SagaStatus.Compensated, 0), (error.Run.Status, error.Run.CompletedSteps));
        await AssertStoresAsync("ord-ch", "sku-ch", orderStatus: "cancelled", stock: 4, analytics: 0);
    }

    [Fact]
    public async Task Run_FailingAtTheLastStep_CompensatesAllThreeStoresNewestFirst()
    {
        await StockAsync("sku-last", 8);
        await stores.ExecuteAsync("""
            CREATE FUNCTION refuse_confirm() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN IF NEW.status = 'confirmed' AND NEW.id = 'ord-last' THEN RAISE EXCEPTION 'order ord-last is under review'; END IF; RETURN NEW; END $$;
            CREATE TRIGGER refuse_confirm BEFORE UPDATE ON saga_orders FOR EACH ROW EXECUTE FUNCTION refuse_confirm();
            """);

        var error = await Assert.ThrowsAsync<SagaFailedException>(() => stores.Coordinator().RunAsync(OrderFulfilmentSaga.Name, Guid.NewGuid(), Order("ord-last", "sku-last", 2), Ct));

        Assert.Contains("Step 'confirm-order' failed: P0001: order ord-last is under review", error.Message, StringComparison.Ordinal);
        await AssertStoresAsync("ord-last", "sku-last", orderStatus: "cancelled", stock: 8, analytics: 0);
        Assert.Equal(2, await stores.ClickHouse.CountAsync("SELECT count() FROM order_events WHERE order_id = 'ord-last'"));
    }

    [Fact]
    public async Task Recover_CompensatesASagaWhoseProcessDiedMidway_OnceItsLeaseHasRunOut()
    {
        await StockAsync("sku-dead", 6);
        var id = Guid.NewGuid();
        var dying = stores.Coordinator();
        using var death = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        dying.StepCompleted += run => { if (run.CompletedSteps == 2) death.Cancel(); };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => dying.RunAsync(OrderFulfilmentSaga.Name, id, Order("ord-dead", "sku-dead", 5), death.Token));
        var leftBehind = await new SagaStore(stores.DataSource).FindAsync(id, Ct);
        var tooEarly = await stores.Coordinator().RecoverAsync(Ct);
        stores.Clock.Advance(Lease + TimeSpan.FromSeconds(1));
        var recovered = await stores.Coordinator().RecoverAsync(Ct);
        var onceMore = await stores.Coordinator().RecoverAsync(Ct);

        Assert.Equal((SagaStatus.Running, 2, "1"), (leftBehind!.Status, leftBehind.CompletedSteps, leftBehind.Data["stockLeft"]));
        Assert.DoesNotContain(tooEarly, r => r.Id == id);
        var run = Assert.Single(recovered, r => r.Id == id);
        Assert.Equal((SagaStatus.Compensated, 0), (run.Status, run.CompletedSteps));
        Assert.Contains("Abandoned after 2 steps", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(onceMore, r => r.Id == id);
        await AssertStoresAsync("ord-dead", "sku-dead", orderStatus: "cancelled", stock: 6, analytics: 0);
    }

    private static Dictionary<string, string> Order(string id, string sku, int quantity) =>
        new() { ["orderId"] = id, ["sku"] = sku, ["quantity"] = quantity.ToString(System.Globalization.CultureInfo.InvariantCulture) };

    private Task StockAsync(string sku, int count) => stores.Redis.GetDatabase().StringSetAsync($"{stores.Prefix}stock:{sku}", count);

    private async Task AssertStoresAsync(string orderId, string sku, string orderStatus, long stock, long analytics)
    {
        Assert.Equal(orderStatus, await stores.ScalarAsync<string>($"SELECT coalesce((SELECT status FROM saga_orders WHERE id = '{orderId}'), 'none')"));
        Assert.Equal(stock, (long)await stores.Redis.GetDatabase().StringGetAsync($"{stores.Prefix}stock:{sku}"));
        Assert.Equal(analytics, await stores.ClickHouse.CountAsync($"SELECT sum(quantity * sign) FROM order_events WHERE order_id = '{orderId}'"));
    }
}
