using Apex.Platform.Data.ClickHouse;
using Microsoft.Extensions.Options;

namespace Apex.Platform.Metering;

/// <summary>
/// Aggregation and calculation: distinct events per metric from ClickHouse, then money. Each event
/// id counts once however often it was stored; each line is rounded to the cent once, in decimal.
/// </summary>
public sealed class UsageStatements(ClickHouseHttpClient clickHouse, IOptions<MeteringOptions> options)
{
    public async Task<UsageStatement> ForPeriodAsync(Guid tenantId, string period, CancellationToken cancellationToken)
    {
        var totals = await clickHouse.QueryAsync<MetricTotal>($"""
            SELECT metric, sum(quantity) AS quantity, count() AS events FROM (
                SELECT metric, event_id, any(quantity) AS quantity FROM {UsageCollector.Table}
                WHERE tenant_id = {ClickHouseHttpClient.Literal(tenantId.ToString("N"))} AND period = {ClickHouseHttpClient.Literal(period)}
                GROUP BY metric, event_id)
            GROUP BY metric ORDER BY metric
            """, cancellationToken);
        var lines = totals.Select(Price).ToList();
        return new UsageStatement(tenantId, period, lines, lines.Sum(line => line.Amount));
    }

    private UsageLine Price(MetricTotal total)
    {
        var price = options.Value.Metrics[total.Metric];
        var billable = Math.Max(0, total.Quantity - price.Included);
        var amount = decimal.Round(billable / (decimal)price.UnitSize * price.UnitPrice, 2, MidpointRounding.AwayFromZero);
        return new UsageLine(total.Metric, total.Events, total.Quantity, price.Included, billable, price.UnitPrice, price.UnitSize, amount);
    }

    private sealed record MetricTotal(string Metric, long Quantity, long Events);
}

public sealed record UsageStatement(Guid TenantId, string Period, IReadOnlyList<UsageLine> Lines, decimal Total);

public sealed record UsageLine(string Metric, long Events, long Quantity, long Included, long Billable, decimal UnitPrice, long UnitSize, decimal Amount);
