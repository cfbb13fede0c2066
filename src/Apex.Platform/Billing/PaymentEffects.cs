using Npgsql;

namespace Apex.Platform.Billing;

/// <summary>What one applied payment event changes, inside the webhook's transaction.</summary>
internal sealed class PaymentEffects(NpgsqlConnection connection, SessionState session, PaymentEvent payment, DateTimeOffset occurred, DateTimeOffset now)
{
    private CheckoutSession Checkout => session.Checkout;

    /// <summary>A completed checkout starts a billing period now: the subscription, its first invoice, the receipt.</summary>
    public async Task<WebhookOutcome> ActivateAsync(CancellationToken cancellationToken)
    {
        await ExecuteAsync("""
            INSERT INTO subscriptions (tenant_id, plan, status, amount, currency, checkout_session_id, period_start, current_period_end, updated_at)
            VALUES ($1, $2, 'active', $3, $4, $5, $6, $7, $6)
            ON CONFLICT (tenant_id) DO UPDATE SET plan = EXCLUDED.plan, status = 'active', amount = EXCLUDED.amount,
                currency = EXCLUDED.currency, checkout_session_id = EXCLUDED.checkout_session_id, period_start = EXCLUDED.period_start,
                current_period_end = EXCLUDED.current_period_end, updated_at = EXCLUDED.updated_at
            """, [Checkout.TenantId, Checkout.Plan, Checkout.Amount, Checkout.Currency, Checkout.Id, now, now.AddMonths(1)], cancellationToken);
        await BillingLedger.RecordAsync(connection, new LedgerEntry(Checkout.TenantId, "subscription", Checkout.Plan, Checkout.Amount, Checkout.Currency,
            now, now.AddMonths(1), Checkout.Id, $"checkout:{Checkout.Id}"), now, cancellationToken);
        await NotifyAsync("payment.succeeded", new { plan = Checkout.Plan, amount = Checkout.Amount, currency = Checkout.Currency }, cancellationToken);
        return await MarkSessionAsync("paid", cancellationToken);
    }

    /// <summary>A decline leaves the tenant where it was; a decline of an already paid session changes nothing.</summary>
    public async Task<WebhookOutcome> FailAsync(CancellationToken cancellationToken)
    {
        if (session.Status == "paid") return WebhookOutcome.Ignored;
        await NotifyAsync("payment.failed", new { plan = Checkout.Plan, reason = payment.Data.FailureReason }, cancellationToken);
        return await MarkSessionAsync("failed", cancellationToken);
    }

    /// <summary>A refund gives back the days it covers: a negative ledger entry from the refund to the end of the paid period.</summary>
    public async Task<WebhookOutcome> RefundAsync(CancellationToken cancellationToken)
    {
        var paid = await BillingLedger.RefundableAsync(connection, Checkout.Id, cancellationToken);
        var end = paid!.Value.ServiceEnd > occurred ? paid.Value.ServiceEnd : occurred.AddDays(1);
        await BillingLedger.RecordAsync(connection, new LedgerEntry(Checkout.TenantId, "refund", Checkout.Plan, -payment.Data.Amount, payment.Data.Currency,
            occurred, end, Checkout.Id, $"refund:{payment.Id}"), now, cancellationToken);
        await NotifyAsync("payment.refunded", new { amount = payment.Data.Amount, currency = payment.Data.Currency }, cancellationToken);
        return WebhookOutcome.Processed;
    }

    private Task NotifyAsync(string kind, object payload, CancellationToken cancellationToken) =>
        BillingNotifications.EnqueueAsync(connection, Checkout.UserId, kind, payload, $"event:{payment.Id}", now, cancellationToken);

    private async Task<WebhookOutcome> MarkSessionAsync(string status, CancellationToken cancellationToken)
    {
        await ExecuteAsync("UPDATE checkout_sessions SET status = $2, updated_at = $3, last_event_at = $4 WHERE id = $1",
            [Checkout.Id, status, now, occurred], cancellationToken);
        return WebhookOutcome.Processed;
    }

    private async Task ExecuteAsync(string sql, object[] values, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var value in values) command.Parameters.Add(new NpgsqlParameter { Value = value });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
