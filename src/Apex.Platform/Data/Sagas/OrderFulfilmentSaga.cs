using System.Globalization;
using Apex.Platform.Data.ClickHouse;
using Npgsql;
using StackExchange.Redis;

namespace Apex.Platform.Data.Sagas;

/// <summary>
/// Placing an order touches three stores: the order row in PostgreSQL, the stock reservation in
/// Redis, the order fact in ClickHouse. No transaction spans them, so this saga does; each step's
/// compensation is the business undo (cancel the order, release the stock, append a negating
/// fact — ClickHouse tables are appended to, not edited).
/// </summary>
public static class OrderFulfilmentSaga
{
    public const string Name = "order-fulfilment";

    public const string PostgresSchema = """
        CREATE TABLE IF NOT EXISTS saga_orders (id text PRIMARY KEY, sku text NOT NULL, quantity int NOT NULL CHECK (quantity > 0), status text NOT NULL)
        """;

    /// <summary>Sum of quantity × sign per order is what counts; a compensated order sums to zero.</summary>
    public static string ClickHouseTable(string database) =>
        $"CREATE TABLE IF NOT EXISTS {database}.order_events (order_id String, sku String, quantity Int32, sign Int8) ENGINE = MergeTree() ORDER BY order_id";

    // Reserve only what is there: an atomic check-and-decrement.
    private const string ReserveScript = """
        local stock = tonumber(redis.call('GET', KEYS[1]) or '0')
        if stock < tonumber(ARGV[1]) then return redis.error_reply('out of stock: ' .. stock .. ' left') end
        return redis.call('DECRBY', KEYS[1], ARGV[1])
        """;

    public static SagaDefinition Define(NpgsqlDataSource postgres, IDatabase redis, string redisPrefix, ClickHouseHttpClient clickHouse) => new(Name,
    [
        new("record-order",
            (d, ct) => ExecAsync(postgres, "INSERT INTO saga_orders VALUES ($1, $2, $3, 'pending')", ct, d["orderId"], d["sku"], Quantity(d)),
            (d, ct) => ExecAsync(postgres, "UPDATE saga_orders SET status = 'cancelled' WHERE id = $1", ct, d["orderId"])),
        new("reserve-stock",
            async (d, _) => d["stockLeft"] = ((long)await redis.ScriptEvaluateAsync(ReserveScript, [StockKey(redisPrefix, d)], [Quantity(d)])).ToString(CultureInfo.InvariantCulture),
            (d, _) => redis.StringIncrementAsync(StockKey(redisPrefix, d), Quantity(d))),
        new("record-analytics",
            (d, ct) => clickHouse.InsertAsync("order_events", [new OrderEvent(d["orderId"], d["sku"], Quantity(d), 1)], ct),
            (d, ct) => clickHouse.InsertAsync("order_events", [new OrderEvent(d["orderId"], d["sku"], Quantity(d), -1)], ct)),
        new("confirm-order",
            (d, ct) => ExecAsync(postgres, "UPDATE saga_orders SET status = 'confirmed' WHERE id = $1", ct, d["orderId"]),
            (d, ct) => ExecAsync(postgres, "UPDATE saga_orders SET status = 'pending' WHERE id = $1", ct, d["orderId"])),
    ]);

    public static RedisKey StockKey(string prefix, SagaData data) => $"{prefix}stock:{data["sku"]}";

    private static int Quantity(SagaData data) => int.Parse(data["quantity"], CultureInfo.InvariantCulture);

    private static async Task ExecAsync(NpgsqlDataSource postgres, string sql, CancellationToken ct, params object[] values)
    {
        await using var command = postgres.CreateCommand(sql);
        foreach (var value in values) command.Parameters.Add(new() { Value = value });
        await command.ExecuteNonQueryAsync(ct);
    }

    private sealed record OrderEvent(string OrderId, string Sku, int Quantity, int Sign);
}
