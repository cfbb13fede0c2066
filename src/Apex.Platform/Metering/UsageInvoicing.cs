using Apex.Platform.Data.ClickHouse;

namespace Apex.Platform.Metering;

/// <summary>
/// The invoicing run: every tenant with usage in a period that has closed and no invoice yet gets
/// one, from the same statement the API shows. Periods the job missed (it was down) are caught up,
/// and issuing is idempotent (one invoice per tenant and period), so a run cut short is simply run again.
/// </summary>
public sealed class UsageInvoicing(ClickHouseHttpClient clickHouse, UsageStatements statements, UsageInvoices invoices, TimeProvider time)
{
    public async Task<int> IssueClosedPeriodsAsync(CancellationToken cancellationToken)
    {
        var current = UsageCollector.Period(time.GetUtcNow());
        var used = await clickHouse.QueryAsync<TenantPeriod>(
            $"SELECT DISTINCT tenant_id, period FROM {UsageCollector.Table} WHERE period < {ClickHouseHttpClient.Literal(current)} ORDER BY period, tenant_id",
            cancellationToken);
        var issued = 0;
        foreach (var usage in used)
        {
            var tenantId = Guid.ParseExact(usage.TenantId, "N");
            if (!invoices.IsClosed(usage.Period) || await invoices.FindAsync(tenantId, usage.Period, cancellationToken) is not null) continue;
            var (_, created) = await invoices.IssueAsync(await statements.ForPeriodAsync(tenantId, usage.Period, cancellationToken), cancellationToken);
            if (created) issued++;
        }

        return issued;
    }

    private sealed record TenantPeriod(string TenantId, string Period);
}
