using Apex.Platform.Auth;
using Npgsql;

namespace Apex.Platform.Billing;

/// <summary>
/// Plan changes and cancellation, each in one transaction that locks the subscription row, so two
/// requests cannot both upgrade. An upgrade charges the price difference for the rest of the
/// period at the gateway before it applies; a downgrade credits it to the next renewal.
/// </summary>
public sealed class SubscriptionLifecycle(NpgsqlDataSource dataSource, PaymentGatewayClient gateway, PlanCatalog catalog, TimeProvider time,
    ILogger<SubscriptionLifecycle> logger)
{
    public const string Schema = """
        ALTER TABLE subscriptions ADD COLUMN IF NOT EXISTS period_start timestamptz;
        ALTER TABLE subscriptions ADD COLUMN IF NOT EXISTS credit_balance numeric(12,2) NOT NULL DEFAULT 0;
        CREATE TABLE IF NOT EXISTS subscription_transitions (
            id bigserial PRIMARY KEY,
            tenant_id uuid NOT NULL REFERENCES tenants(id),
            from_status text NOT NULL, to_status text NOT NULL,
            from_plan text NOT NULL, to_plan text NOT NULL,
            amount numeric(12,2) NOT NULL,
            at timestamptz NOT NULL);
        """;

    public async Task<LifecycleResult> ChangePlanAsync(UserContext user, string target, CancellationToken cancellationToken)
    {
        await using var store = await SubscriptionRows.OpenAsync(dataSource, cancellationToken);
        var current = await store.LockAsync(user.TenantId, cancellationToken);
        if (SubscriptionStateMachine.ChangeRefusal(current, target) is { } refusal) return LifecycleResult.Refused(refusal);
        var now = time.GetUtcNow();
        var difference = catalog.MonthlyPrice(target) - current!.Amount;
        var prorated = Prorate(Math.Abs(difference), current, now);
        var result = difference > 0
            ? await UpgradeAsync(store, current, target, prorated, now, cancellationToken)
            : await DowngradeAsync(store, current, target, prorated, now, cancellationToken);
        if (result.Status == LifecycleStatus.Done) await store.CommitAsync(cancellationToken);
        return result;
    }

    public async Task<LifecycleResult> CancelAsync(UserContext user, CancellationToken cancellationToken)
    {
        await using var store = await SubscriptionRows.OpenAsync(dataSource, cancellationToken);
        var current = await store.LockAsync(user.TenantId, cancellationToken);
        if (SubscriptionStateMachine.CancelRefusal(current) is { } refusal) return LifecycleResult.Refused(refusal);
        var now = time.GetUtcNow();
        await store.MoveAsync(current!, current!.Plan, current.Amount, SubscriptionStateMachine.Canceling, 0m, now, cancellationToken);
        await store.NotifyAsync(current, "subscription.canceling", new { endsAt = current.PeriodEnd }, $"cancel:{current.TenantId}:{now:O}", now, cancellationToken);
        await store.CommitAsync(cancellationToken);
        return LifecycleResult.Done(0m, 0m);
    }

    /// <summary>The share of <paramref name="amount"/> for the rest of the period, to the cent.</summary>
    public static decimal Prorate(decimal amount, SubscriptionRow row, DateTimeOffset now)
    {
        var remaining = (decimal)(row.PeriodEnd - now).Ticks / (row.PeriodEnd - row.PeriodStart).Ticks;
        return decimal.Round(amount * Math.Clamp(remaining, 0m, 1m), 2, MidpointRounding.AwayFromZero);
    }

    private async Task<LifecycleResult> UpgradeAsync(SubscriptionRows store, SubscriptionRow current, string target, decimal prorated, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        GatewayCharge charge;
        try
        {
            charge = await gateway.ChargeAsync(current.TenantId, prorated, current.Currency, $"Upgrade to {target}, prorated",
                $"upgrade:{current.TenantId}:{target}:{now:O}", cancellationToken);
        }
        catch (HttpRequestException exception)
        {
            logger.LogWarning(exception, "Upgrade charge for tenant {Tenant} failed", current.TenantId);
            return LifecycleResult.Unavailable("The payment gateway could not be reached; the plan is unchanged. Try again shortly.");
        }

        if (!charge.Succeeded) return LifecycleResult.Declined($"The prorated charge of {prorated} {current.Currency} was declined ({charge.FailureReason}); the plan is unchanged.");
        await store.RecordAsync(new LedgerEntry(current.TenantId, "proration", target, prorated, current.Currency, now, current.PeriodEnd, charge.Id,
            $"proration:{charge.Id}"), now, cancellationToken);
        await store.MoveAsync(current, target, catalog.MonthlyPrice(target), SubscriptionStateMachine.Active, 0m, now, cancellationToken);
        await store.NotifyAsync(current, "subscription.upgraded", new { plan = target, charged = prorated }, $"upgrade:{charge.Id}", now, cancellationToken);
        return LifecycleResult.Done(prorated, 0m);
    }

    private async Task<LifecycleResult> DowngradeAsync(SubscriptionRows store, SubscriptionRow current, string target, decimal credit, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        var key = $"downgrade:{current.TenantId}:{now:O}";
        await store.RecordAsync(new LedgerEntry(current.TenantId, "downgrade_credit", target, -credit, current.Currency, now, current.PeriodEnd, null, key),
            now, cancellationToken);
        await store.MoveAsync(current, target, catalog.MonthlyPrice(target), SubscriptionStateMachine.Active, credit, now, cancellationToken);
        await store.NotifyAsync(current, "subscription.downgraded", new { plan = target, credited = credit }, key, now, cancellationToken);
        return LifecycleResult.Done(0m, credit);
    }
}

public enum LifecycleStatus
{
    Done,
    Refused,
    Declined,
    Unavailable,
}

public sealed record LifecycleResult(LifecycleStatus Status, string? Message, decimal Charged, decimal Credited)
{
    public static LifecycleResult Done(decimal charged, decimal credited) => new(LifecycleStatus.Done, null, charged, credited);

    public static LifecycleResult Refused(string message) => new(LifecycleStatus.Refused, message, 0m, 0m);

    public static LifecycleResult Declined(string message) => new(LifecycleStatus.Declined, message, 0m, 0m);

    public static LifecycleResult Unavailable(string message) => new(LifecycleStatus.Unavailable, message, 0m, 0m);
}
