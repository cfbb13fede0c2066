using Npgsql;

namespace Apex.Platform.Billing;

/// <summary>
/// Applies a verified gateway event exactly once. The event id is inserted first in the same
/// transaction as its effect, so a redelivery (even a concurrent one, which waits on the unique
/// key) finds it and changes nothing. A completed checkout activates the paid plan at once.
/// </summary>
public sealed class PaymentWebhookProcessor(NpgsqlDataSource dataSource, TimeProvider time)
{
    public const string CheckoutCompleted = "checkout.session.completed";
    public const string PaymentFailed = "checkout.session.payment_failed";

    public async Task<WebhookOutcome> ProcessAsync(PaymentEvent payment, string payload, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var session = await FindSessionAsync(connection, payment.Data.SessionId, cancellationToken);
        if (session is null) return WebhookOutcome.UnknownSession;
        if (payment.Type == CheckoutCompleted && (payment.Data.Amount != session.Amount || payment.Data.Currency != session.Currency))
        {
            return WebhookOutcome.AmountMismatch;
        }

        if (!await RecordAsync(connection, payment, session, payload, cancellationToken)) return WebhookOutcome.Duplicate;
        var outcome = payment.Type switch
        {
            CheckoutCompleted => await ActivateAsync(connection, session, cancellationToken),
            PaymentFailed => await MarkSessionAsync(connection, session.Id, "failed", cancellationToken),
            _ => WebhookOutcome.Ignored,
        };
        await transaction.CommitAsync(cancellationToken);
        return outcome;
    }

    private static async Task<CheckoutSession?> FindSessionAsync(NpgsqlConnection connection, string id, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT id, tenant_id, user_id, plan, amount, currency FROM checkout_sessions WHERE id = $1", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new CheckoutSession(reader.GetString(0), reader.GetGuid(1), reader.GetGuid(2), reader.GetString(3), reader.GetDecimal(4), reader.GetString(5))
            : null;
    }

    private async Task<bool> RecordAsync(NpgsqlConnection connection, PaymentEvent payment, CheckoutSession session, string payload, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("""
            INSERT INTO payment_events (event_id, type, checkout_session_id, tenant_id, amount, currency, payload, received_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8) ON CONFLICT (event_id) DO NOTHING
            """, connection);
        foreach (var value in new object[] { payment.Id, payment.Type, session.Id, session.TenantId, payment.Data.Amount, payment.Data.Currency, payload, time.GetUtcNow() })
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    private async Task<WebhookOutcome> ActivateAsync(NpgsqlConnection connection, CheckoutSession session, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var command = new NpgsqlCommand("""
            INSERT INTO subscriptions (tenant_id, plan, status, amount, currency, checkout_session_id, current_period_end, updated_at)
            VALUES ($1, $2, 'active', $3, $4, $5, $6, $7)
            ON CONFLICT (tenant_id) DO UPDATE SET plan = EXCLUDED.plan, status = 'active', amount = EXCLUDED.amount,
                currency = EXCLUDED.currency, checkout_session_id = EXCLUDED.checkout_session_id,
                current_period_end = EXCLUDED.current_period_end, updated_at = EXCLUDED.updated_at
            """, connection);
        foreach (var value in new object[] { session.TenantId, session.Plan, session.Amount, session.Currency, session.Id, now.AddMonths(1), now })
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        await command.ExecuteNonQueryAsync(cancellationToken);
        return await MarkSessionAsync(connection, session.Id, "paid", cancellationToken);
    }

    private async Task<WebhookOutcome> MarkSessionAsync(NpgsqlConnection connection, string sessionId, string status, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("UPDATE checkout_sessions SET status = $2, updated_at = $3 WHERE id = $1", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = sessionId });
        command.Parameters.Add(new NpgsqlParameter { Value = status });
        command.Parameters.Add(new NpgsqlParameter { Value = time.GetUtcNow() });
        await command.ExecuteNonQueryAsync(cancellationToken);
        return WebhookOutcome.Processed;
    }
}

public enum WebhookOutcome
{
    Processed,
    Duplicate,
    Ignored,
    UnknownSession,
    AmountMismatch,
}

/// <summary>A gateway event as it arrives; money in decimal, as the gateway sends it.</summary>
public sealed record PaymentEvent(string Id, string Type, PaymentEventData Data);

public sealed record PaymentEventData(string SessionId, decimal Amount, string Currency, string? FailureReason);
