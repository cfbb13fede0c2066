using System.Globalization;
using Npgsql;
using NpgsqlTypes;

namespace Apex.Platform.Billing;

/// <summary>
/// Counts uses of metered features per tenant and month, and refuses the one past the plan's
/// allowance. The check and the increment are one statement, so concurrent requests cannot
/// both take the last free use. The plan is read on every call: an upgrade counts at once.
/// </summary>
public sealed class UsageMeter(NpgsqlDataSource dataSource, SubscriptionStore subscriptions, PlanCatalog catalog, TimeProvider time)
{
    public async Task<UsageDecision> TryConsumeAsync(Guid tenantId, PlanFeature feature, CancellationToken cancellationToken)
    {
        var plan = await subscriptions.CurrentPlanAsync(tenantId, cancellationToken);
        var allowance = catalog.Allowance(plan, feature);
        await using var command = dataSource.CreateCommand("""
            INSERT INTO usage_counters (tenant_id, feature, period, used) VALUES ($1, $2, $3, 1)
            ON CONFLICT (tenant_id, feature, period) DO UPDATE SET used = usage_counters.used + 1
            WHERE $4::int IS NULL OR usage_counters.used < $4::int
            RETURNING used
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = tenantId });
        command.Parameters.Add(new NpgsqlParameter { Value = PlanCatalog.FeatureName(feature) });
        command.Parameters.Add(new NpgsqlParameter { Value = Period() });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)allowance ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Integer });
        return await command.ExecuteScalarAsync(cancellationToken) is int used
            ? new UsageDecision(true, plan, feature, allowance, used)
            : new UsageDecision(false, plan, feature, allowance, allowance ?? 0);
    }

    public async Task<int> UsedAsync(Guid tenantId, PlanFeature feature, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT used FROM usage_counters WHERE tenant_id = $1 AND feature = $2 AND period = $3");
        command.Parameters.Add(new NpgsqlParameter { Value = tenantId });
        command.Parameters.Add(new NpgsqlParameter { Value = PlanCatalog.FeatureName(feature) });
        command.Parameters.Add(new NpgsqlParameter { Value = Period() });
        return await command.ExecuteScalarAsync(cancellationToken) is int used ? used : 0;
    }

    private string Period() => time.GetUtcNow().ToString("yyyy-MM", CultureInfo.InvariantCulture);
}
