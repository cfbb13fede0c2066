using Npgsql;

namespace Apex.Platform.Billing;

/// <summary>
/// The renewal job: at each period's end it charges the next period (less any credit), ends
/// canceled subscriptions, and marks declined ones past due to try again on its next run. Each
/// tenant renews in its own transaction with its row locked, and each charge carries an
/// idempotency key, so two runs at once charge nobody twice.
/// </summary>
public sealed class SubscriptionRenewals(NpgsqlDataSource dataSource, PaymentGatewayClient gateway, PlanCatalog catalog, BillingNotifications notices,
    TimeProvider time, ILogger<SubscriptionRenewals> logger)
{
    public async Task<int> RenewDueAsync(CancellationToken cancellationToken)
    {
        List<Guid> due;
        await using (var listing = await SubscriptionRows.OpenAsync(dataSource, cancellationToken)) due = await listing.DueAsync(time.GetUtcNow(), cancellationToken);
        var renewed = 0;
        foreach (var tenantId in due)
        {
            if (await RenewAsync(tenantId, cancellationToken)) renewed++;
        }

        // The notices of this run (renewed, declined, ended) go out now; any that fail wait in the outbox.
        await notices.DispatchPendingAsync(cancellationToken);
        return renewed;
    }

    private async Task<bool> RenewAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        await using var store = await SubscriptionRows.OpenAsync(dataSource, cancellationToken);
        var now = time.GetUtcNow();
        // Re-read under the lock: another run may have renewed this tenant since the listing.
        if (await store.LockAsync(tenantId, cancellationToken) is not { } row || !SubscriptionStateMachine.IsDue(row, now)) return false;
        if (row.Status == SubscriptionStateMachine.Canceling)
        {
            await store.MoveAsync(row, row.Plan, row.Amount, SubscriptionStateMachine.Canceled, 0m, now, cancellationToken);
            await store.NotifyAsync(row, "subscription.ended", new { plan = row.Plan }, $"ended:{tenantId}:{row.PeriodEnd:O}", now, cancellationToken);
        }
        else if (!await ChargeNextPeriodAsync(store, row, now, cancellationToken))
        {
            return false;
        }

        await store.CommitAsync(cancellationToken);
        return true;
    }

    private async Task<bool> ChargeNextPeriodAsync(SubscriptionRows store, SubscriptionRow row, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var price = catalog.MonthlyPrice(row.Plan);
        var fromCredit = Math.Min(row.CreditBalance, price);
        var charge = price - fromCredit > 0 ? await TryChargeAsync(row, price - fromCredit, now, cancellationToken) : new GatewayCharge($"credit:{row.TenantId}:{row.PeriodEnd:O}", "succeeded", null);
        if (charge is null) return false;
        if (!charge.Succeeded)
        {
            if (row.Status == SubscriptionStateMachine.PastDue) return false;
            await store.MoveAsync(row, row.Plan, row.Amount, SubscriptionStateMachine.PastDue, 0m, now, cancellationToken);
            await store.NotifyAsync(row, "payment.failed", new { plan = row.Plan, reason = charge.FailureReason }, $"declined:{row.TenantId}:{row.PeriodEnd:O}", now, cancellationToken);
            return true;
        }

        var next = row with { Status = SubscriptionStateMachine.Active, Amount = price, CreditBalance = row.CreditBalance - fromCredit,
            PeriodStart = row.PeriodEnd, PeriodEnd = row.PeriodEnd.AddMonths(1) };
        await store.RecordAsync(new LedgerEntry(row.TenantId, "renewal", row.Plan, price, row.Currency, next.PeriodStart, next.PeriodEnd, charge.Id,
            $"renewal:{row.TenantId}:{next.PeriodStart:O}"), now, cancellationToken);
        await store.UpdateAsync(row, next, now, cancellationToken);
        await store.NotifyAsync(row, "subscription.renewed", new { plan = row.Plan, charged = price - fromCredit, fromCredit }, $"renewed:{charge.Id}", now, cancellationToken);
        return true;
    }

    private async Task<GatewayCharge?> TryChargeAsync(SubscriptionRow row, decimal amount, DateTimeOffset now, CancellationToken cancellationToken)
    {
        try
        {
            // One key per period and attempt time: a concurrent run shares it, a later retry of a decline does not.
            return await gateway.ChargeAsync(row.TenantId, amount, row.Currency, $"{row.Plan} renewal", $"renew:{row.TenantId}:{row.PeriodEnd:O}:{now:O}", cancellationToken);
        }
        catch (HttpRequestException exception)
        {
            logger.LogWarning(exception, "Renewal charge for tenant {Tenant} failed; the next run tries again", row.TenantId);
            return null;
        }
    }
}
