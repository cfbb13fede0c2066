using Npgsql;

namespace Apex.Platform.Billing;

/// <summary>
/// Applies a verified gateway event exactly once. The checkout session's row is locked and the
/// event id inserted in the same transaction as the effect, so a redelivery (even a concurrent
/// one) finds it and changes nothing. Events of one session may arrive out of order: one older
/// than the last applied is kept for the record but changes nothing. Every effect queues the
/// customer's notice in the same transaction, and writes the billing ledger that revenue reads.
/// </summary>
public sealed class PaymentWebhookProcessor(NpgsqlDataSource dataSource, TimeProvider time)
{
    public const string CheckoutCompleted = "checkout.session.completed";
    public const string PaymentFailed = "checkout.session.payment_failed";
    public const string ChargeRefunded = "charge.refunded";

    public const string Schema = "ALTER TABLE checkout_sessions ADD COLUMN IF NOT EXISTS last_event_at timestamptz;";

    public async Task<WebhookOutcome> ProcessAsync(PaymentEvent payment, string payload, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var session = await FindSessionAsync(connection, payment.Data.SessionId, cancellationToken);
        if (session is null) return WebhookOutcome.UnknownSession;
        if (await RefusalAsync(connection, payment, session, cancellationToken) is { } refusal) return refusal;
        if (!await RecordAsync(connection, payment, session, payload, cancellationToken)) return WebhookOutcome.Duplicate;
        var effect = new PaymentEffects(connection, session, payment, Occurred(payment), time.GetUtcNow());
        var outcome = payment.Type switch
        {
            _ when IsStale(payment, session) => WebhookOutcome.Stale,
            CheckoutCompleted => await effect.ActivateAsync(cancellationToken),
            PaymentFailed => await effect.FailAsync(cancellationToken),
            ChargeRefunded => await effect.RefundAsync(cancellationToken),
            _ => WebhookOutcome.Ignored,
        };
        await transaction.CommitAsync(cancellationToken);
        return outcome;
    }

    private DateTimeOffset Occurred(PaymentEvent payment) =>
        payment.Created is { } created ? DateTimeOffset.FromUnixTimeSeconds(created) : time.GetUtcNow();

    // Only the session's own outcome events race each other; a refund always follows its payment.
    private bool IsStale(PaymentEvent payment, SessionState session) =>
        payment.Type is CheckoutCompleted or PaymentFailed && session.LastEventAt is { } last && Occurred(payment) < last;

    private static async Task<WebhookOutcome?> RefusalAsync(NpgsqlConnection connection, PaymentEvent payment, SessionState session, CancellationToken cancellationToken)
    {
        if (payment.Type == CheckoutCompleted && (payment.Data.Amount != session.Checkout.Amount || payment.Data.Currency != session.Checkout.Currency))
        {
            return WebhookOutcome.AmountMismatch;
        }

        if (payment.Type != ChargeRefunded) return null;
        // A refund that overtook its payment is answered 409, so the gateway redelivers it later.
        if (await BillingLedger.RefundableAsync(connection, session.Checkout.Id, cancellationToken) is not { } paid) return WebhookOutcome.NotYetPaid;
        return payment.Data.Amount <= 0 || payment.Data.Amount > paid.Refundable || payment.Data.Currency != session.Checkout.Currency
            ? WebhookOutcome.AmountMismatch
            : null;
    }

    private static async Task<SessionState?> FindSessionAsync(NpgsqlConnection connection, string id, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "SELECT id, tenant_id, user_id, plan, amount, currency, status, last_event_at FROM checkout_sessions WHERE id = $1 FOR UPDATE", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new SessionState(
                new CheckoutSession(reader.GetString(0), reader.GetGuid(1), reader.GetGuid(2), reader.GetString(3), reader.GetDecimal(4), reader.GetString(5)),
                reader.GetString(6), reader.IsDBNull(7) ? null : reader.GetFieldValue<DateTimeOffset>(7))
            : null;
    }

    private async Task<bool> RecordAsync(NpgsqlConnection connection, PaymentEvent payment, SessionState session, string payload, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("""
            INSERT INTO payment_events (event_id, type, checkout_session_id, tenant_id, amount, currency, payload, received_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8) ON CONFLICT (event_id) DO NOTHING
            """, connection);
        foreach (var value in new object[] { payment.Id, payment.Type, session.Checkout.Id, session.Checkout.TenantId, payment.Data.Amount, payment.Data.Currency,
                     payload, time.GetUtcNow() })
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }
}

public enum WebhookOutcome
{
    Processed,
    Duplicate,
    Ignored,
    Stale,
    UnknownSession,
    AmountMismatch,
    NotYetPaid,
}

/// <summary>A gateway event as it arrives; money in decimal, as the gateway sends it; <c>created</c> in unix seconds.</summary>
public sealed record PaymentEvent(string Id, string Type, PaymentEventData Data, long? Created = null);

public sealed record PaymentEventData(string SessionId, decimal Amount, string Currency, string? FailureReason);

internal sealed record SessionState(CheckoutSession Checkout, string Status, DateTimeOffset? LastEventAt);
