using Npgsql;

namespace Apex.Platform.Billing;

/// <summary>
/// Every amount billed or credited, with the service period it pays for: the source of revenue
/// recognition. Credits (downgrades, refunds) are negative entries over the days they give back.
/// Each entry has a source key, so whatever writes it twice (a redelivery, a job run twice) writes it once.
/// </summary>
public static class BillingLedger
{
    public const string Schema = """
        CREATE TABLE IF NOT EXISTS billing_invoices (
            id bigserial PRIMARY KEY,
            tenant_id uuid NOT NULL REFERENCES tenants(id),
            kind text NOT NULL,
            plan text,
            amount numeric(12,2) NOT NULL,
            currency text NOT NULL,
            service_start timestamptz NOT NULL,
            service_end timestamptz NOT NULL CHECK (service_end > service_start),
            payment_ref text,
            source_key text NOT NULL UNIQUE,
            issued_at timestamptz NOT NULL);
        CREATE INDEX IF NOT EXISTS billing_invoices_payment ON billing_invoices (payment_ref);
        """;

    public static async Task RecordAsync(NpgsqlConnection connection, LedgerEntry entry, DateTimeOffset issuedAt, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("""
            INSERT INTO billing_invoices (tenant_id, kind, plan, amount, currency, service_start, service_end, payment_ref, source_key, issued_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (source_key) DO NOTHING
            """, connection);
        foreach (var value in new object?[] { entry.TenantId, entry.Kind, entry.Plan, entry.Amount, entry.Currency, entry.ServiceStart,
                     entry.ServiceEnd, entry.PaymentRef, entry.SourceKey, issuedAt })
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value });
        }

        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>What a payment still holds: its invoice's amount less what was refunded of it; null if never invoiced.</summary>
    public static async Task<(decimal Refundable, DateTimeOffset ServiceEnd)?> RefundableAsync(
        NpgsqlConnection connection, string paymentRef, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("""
            SELECT sum(amount), max(service_end) FILTER (WHERE kind <> 'refund') FROM billing_invoices
            WHERE payment_ref = $1 HAVING count(*) FILTER (WHERE kind <> 'refund') > 0
            """, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = paymentRef });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? (reader.GetDecimal(0), reader.GetFieldValue<DateTimeOffset>(1)) : null;
    }
}

public sealed record LedgerEntry(
    Guid TenantId, string Kind, string? Plan, decimal Amount, string Currency,
    DateTimeOffset ServiceStart, DateTimeOffset ServiceEnd, string? PaymentRef, string SourceKey);
