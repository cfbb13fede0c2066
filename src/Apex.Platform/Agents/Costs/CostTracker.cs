using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Apex.Platform.Agents.Costs;

/// <summary>A model's price per one million tokens, input and output apart.</summary>
public sealed class ModelPrice
{
    [Range(typeof(decimal), "0", "1000000")]
    public decimal InputPerMillion { get; set; }

    [Range(typeof(decimal), "0", "1000000")]
    public decimal OutputPerMillion { get; set; }
}

public sealed class CostOptions
{
    public const string SectionName = "Platform:Agents:Costs";

    /// <summary>The price catalog by model name. A model without a price is tracked with cost 0 and flagged unpriced.</summary>
    public Dictionary<string, ModelPrice> Prices { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>A tenant's daily LLM budget; crossing it raises one alert per tenant and day. Null: no alert.</summary>
    public decimal? DailyBudgetPerTenant { get; set; }
}

public sealed record CostTotal(string Key, long InputTokens, long OutputTokens, decimal Cost, int Calls);

public sealed record BudgetAlert(Guid TenantId, DateOnly Day, decimal Budget, decimal Spent, DateTimeOffset At);

/// <summary>
/// Cost of every LLM call from its token usage and the price catalog, in decimal (rounded to a
/// millionth of a unit only when shown), stored per call in PostgreSQL and aggregated per run,
/// tenant and UTC day. A tenant crossing its daily budget gets one alert that day.
/// </summary>
public sealed class CostTracker(NpgsqlDataSource dataSource, IOptions<CostOptions> options, TimeProvider time, ILogger<CostTracker> logger)
{
    public const string Schema = """
        CREATE TABLE IF NOT EXISTS agent_llm_costs (
            id bigserial PRIMARY KEY,
            tenant_id uuid NOT NULL,
            run_id uuid,
            provider text NOT NULL,
            model text NOT NULL,
            input_tokens bigint NOT NULL,
            output_tokens bigint NOT NULL,
            cost numeric(20, 10) NOT NULL,
            priced boolean NOT NULL,
            day date NOT NULL,
            at timestamptz NOT NULL);
        CREATE INDEX IF NOT EXISTS agent_llm_costs_tenant_day ON agent_llm_costs (tenant_id, day);
        CREATE TABLE IF NOT EXISTS agent_budget_alerts (
            tenant_id uuid NOT NULL,
            day date NOT NULL,
            budget numeric(20, 10) NOT NULL,
            spent numeric(20, 10) NOT NULL,
            at timestamptz NOT NULL,
            PRIMARY KEY (tenant_id, day));
        """;

    public static decimal Price(ModelPrice price, long inputTokens, long outputTokens) =>
        (inputTokens * price.InputPerMillion + outputTokens * price.OutputPerMillion) / 1_000_000m;

    public async Task<decimal> RecordAsync(Guid tenantId, Guid? runId, string provider, string model, long inputTokens, long outputTokens, CancellationToken cancellationToken)
    {
        var price = options.Value.Prices.GetValueOrDefault(model);
        var cost = price is null ? 0m : Price(price, inputTokens, outputTokens);
        if (price is null) logger.LogWarning("No price for model {Model}: its calls are tracked with cost 0", model);
        var now = time.GetUtcNow();
        await ExecuteAsync("""
            INSERT INTO agent_llm_costs (tenant_id, run_id, provider, model, input_tokens, output_tokens, cost, priced, day, at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
            """, cancellationToken, tenantId, (object?)runId ?? DBNull.Value, provider, model, inputTokens, outputTokens, cost, price is not null, DateOnly.FromDateTime(now.UtcDateTime), now);
        await CheckBudgetAsync(tenantId, DateOnly.FromDateTime(now.UtcDateTime), cancellationToken);
        return cost;
    }

    public Task<IReadOnlyList<CostTotal>> ByRunAsync(Guid tenantId, CancellationToken cancellationToken) =>
        TotalsAsync("run_id::text", "tenant_id = $1 AND run_id IS NOT NULL", cancellationToken, tenantId);

    public Task<IReadOnlyList<CostTotal>> ByDayAsync(Guid tenantId, CancellationToken cancellationToken) =>
        TotalsAsync("day::text", "tenant_id = $1", cancellationToken, tenantId);

    public Task<IReadOnlyList<CostTotal>> ByModelAsync(Guid tenantId, CancellationToken cancellationToken) =>
        TotalsAsync("model", "tenant_id = $1", cancellationToken, tenantId);

    /// <summary>Every tenant's total for one UTC day.</summary>
    public Task<IReadOnlyList<CostTotal>> ByTenantAsync(DateOnly day, CancellationToken cancellationToken) =>
        TotalsAsync("tenant_id::text", "day = $1", cancellationToken, day);

    public async Task<IReadOnlyList<BudgetAlert>> AlertsAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        await using var command = Command("SELECT tenant_id, day, budget, spent, at FROM agent_budget_alerts WHERE tenant_id = $1 ORDER BY day", tenantId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var alerts = new List<BudgetAlert>();
        while (await reader.ReadAsync(cancellationToken))
        {
            alerts.Add(new BudgetAlert(reader.GetGuid(0), reader.GetFieldValue<DateOnly>(1), reader.GetDecimal(2), reader.GetDecimal(3), reader.GetFieldValue<DateTimeOffset>(4)));
        }

        return alerts;
    }

    // One alert per tenant and day: the primary key makes a second crossing (or a second instance) a no-op.
    private async Task CheckBudgetAsync(Guid tenantId, DateOnly day, CancellationToken cancellationToken)
    {
        if (options.Value.DailyBudgetPerTenant is not { } budget) return;
        await ExecuteAsync("""
            INSERT INTO agent_budget_alerts (tenant_id, day, budget, spent, at)
            SELECT $1, $2, $3, s.spent, $4 FROM (SELECT sum(cost) AS spent FROM agent_llm_costs WHERE tenant_id = $1 AND day = $2) s
            WHERE s.spent > $3
            ON CONFLICT (tenant_id, day) DO NOTHING
            """, cancellationToken, tenantId, day, budget, time.GetUtcNow());
    }

    private async Task<IReadOnlyList<CostTotal>> TotalsAsync(string key, string where, CancellationToken cancellationToken, params object[] values)
    {
        await using var command = Command($"""
            SELECT {key}, sum(input_tokens)::bigint, sum(output_tokens)::bigint, sum(cost), count(*)::int
            FROM agent_llm_costs WHERE {where} GROUP BY 1 ORDER BY 1
            """, values);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var totals = new List<CostTotal>();
        while (await reader.ReadAsync(cancellationToken))
        {
            totals.Add(new CostTotal(reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetDecimal(3), reader.GetInt32(4)));
        }

        return totals;
    }

    private async Task ExecuteAsync(string sql, CancellationToken cancellationToken, params object[] values)
    {
        await using var command = Command(sql, values);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private NpgsqlCommand Command(string sql, params object[] values)
    {
        var command = dataSource.CreateCommand(sql);
        foreach (var value in values) command.Parameters.Add(new NpgsqlParameter { Value = value });
        return command;
    }
}
