using System.Text.Json;
using Npgsql;

namespace Apex.Platform.Billing;

/// <summary>
/// Metering's usage invoices charged at the payment gateway and booked in the billing ledger, with
/// one line item per metric, so revenue recognition (item 100) reads usage like any other invoice.
/// Each invoice is charged in its own transaction with its charge row locked. The idempotency key
/// names the invoice and its attempt: a lost answer is retried with the same key (the gateway
/// answers with the first charge, so nobody pays twice); a decline counts an attempt, so the next
/// run asks again with a new key.
/// </summary>
public sealed class UsageCharges(NpgsqlDataSource dataSource, PaymentGatewayClient gateway, TimeProvider time, ILogger<UsageCharges> logger)
{
    public const string Paid = "paid";
    public const string Declined = "declined";
    public const string Pending = "pending";
    public const string NothingDue = "nothing_due";

    // Created after metering's usage_invoices (schema order 50), which it extends.
    public const string Schema = """
        CREATE TABLE IF NOT EXISTS usage_charges (
            tenant_id uuid NOT NULL,
            period text NOT NULL,
            status text NOT NULL,
            attempts int NOT NULL,
            charge_id text,
            billing_invoice_id bigint REFERENCES billing_invoices(id),
            last_error text,
            updated_at timestamptz NOT NULL,
            PRIMARY KEY (tenant_id, period),
            FOREIGN KEY (tenant_id, period) REFERENCES usage_invoices (tenant_id, period));
        CREATE TABLE IF NOT EXISTS billing_invoice_lines (
            invoice_id bigint NOT NULL REFERENCES billing_invoices(id),
            line int NOT NULL,
            description text NOT NULL,
            quantity bigint NOT NULL,
            unit_price numeric(14,6) NOT NULL,
            unit_size bigint NOT NULL,
            amount numeric(12,2) NOT NULL,
            PRIMARY KEY (invoice_id, line));
        """;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Charges every usage invoice not yet paid (new, declined before, or whose answer was lost); returns how many were paid now.</summary>
    public async Task<int> ChargePendingAsync(CancellationToken cancellationToken)
    {
        var paid = 0;
        foreach (var (tenantId, period) in await PendingAsync(cancellationToken))
        {
            if (await ChargeAsync(tenantId, period, cancellationToken) == Paid) paid++;
        }

        return paid;
    }

    /// <summary>Charges one usage invoice unless it is settled already; returns its status afterwards.</summary>
    public async Task<string> ChargeAsync(Guid tenantId, string period, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var invoice = await LockAsync(connection, tenantId, period, cancellationToken);
        if (invoice.Status is Paid or NothingDue) return invoice.Status;
        var now = time.GetUtcNow();
        var status = invoice.Amount <= 0m
            ? await SettleAsync(connection, invoice, NothingDue, null, null, now, cancellationToken)
            : await TryChargeAsync(connection, invoice, now, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return status;
    }

    private async Task<string> TryChargeAsync(NpgsqlConnection connection, ChargeableInvoice invoice, DateTimeOffset now, CancellationToken cancellationToken)
    {
        GatewayCharge charge;
        try
        {
            charge = await gateway.ChargeAsync(invoice.TenantId, invoice.Amount, invoice.Currency, $"Usage {invoice.Period}",
                $"usage:{invoice.TenantId:N}:{invoice.Period}:{invoice.Attempts}", cancellationToken);
        }
        catch (HttpRequestException exception)
        {
            // The gateway may have charged and the answer been lost: the attempt stays, so does the key.
            logger.LogWarning(exception, "Usage charge {Period} for tenant {Tenant} not confirmed; the next run asks again", invoice.Period, invoice.TenantId);
            return await SettleAsync(connection, invoice with { Status = Pending }, Pending, null, exception.Message, now, cancellationToken);
        }

        if (!charge.Succeeded)
        {
            await NotifyAsync(connection, invoice, "payment.failed", new { period = invoice.Period, amount = invoice.Amount, reason = charge.FailureReason },
                $"usage-declined:{invoice.TenantId:N}:{invoice.Period}:{invoice.Attempts}", now, cancellationToken);
            return await SettleAsync(connection, invoice with { Attempts = invoice.Attempts + 1 }, Declined, null, charge.FailureReason, now, cancellationToken);
        }

        var billingInvoiceId = await BookAsync(connection, invoice, charge.Id, now, cancellationToken);
        await NotifyAsync(connection, invoice, "usage.charged", new { period = invoice.Period, amount = invoice.Amount, currency = invoice.Currency },
            $"usage-charged:{charge.Id}", now, cancellationToken);
        return await SettleAsync(connection, invoice, Paid, (charge.Id, billingInvoiceId), null, now, cancellationToken);
    }

    /// <summary>The ledger entry over the month the usage happened in, and its lines, which add up to it.</summary>
    private static async Task<long> BookAsync(NpgsqlConnection connection, ChargeableInvoice invoice, string chargeId, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        var start = DateTimeOffset.ParseExact(invoice.Period, "yyyy-MM", System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AssumeUniversal);
        var sourceKey = $"usage:{invoice.TenantId:N}:{invoice.Period}";
        await BillingLedger.RecordAsync(connection, new LedgerEntry(invoice.TenantId, "usage", null, invoice.Amount, invoice.Currency, start, start.AddMonths(1),
            chargeId, sourceKey), now, cancellationToken);
        var id = (long)(await ScalarAsync(connection, "SELECT id FROM billing_invoices WHERE source_key = $1", [sourceKey], cancellationToken))!;
        for (var i = 0; i < invoice.Lines.Count; i++)
        {
            var line = invoice.Lines[i];
            await ScalarAsync(connection, """
                INSERT INTO billing_invoice_lines (invoice_id, line, description, quantity, unit_price, unit_size, amount) VALUES ($1, $2, $3, $4, $5, $6, $7)
                ON CONFLICT DO NOTHING
                """, [id, i + 1, Describe(line), line.Billable, line.UnitPrice, line.UnitSize, line.Amount], cancellationToken);
        }

        return id;
    }

    private static string Describe(UsageChargeLine line) =>
        $"{line.Metric}: {line.Quantity} used, {line.Included} included, {line.Billable} billed at {line.UnitPrice} per {line.UnitSize}";

    private static async Task<string> SettleAsync(NpgsqlConnection connection, ChargeableInvoice invoice, string status, (string ChargeId, long InvoiceId)? paid,
        string? error, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await ScalarAsync(connection, """
            UPDATE usage_charges SET status = $3, attempts = $4, charge_id = $5, billing_invoice_id = $6, last_error = $7, updated_at = $8
            WHERE tenant_id = $1 AND period = $2
            """, [invoice.TenantId, invoice.Period, status, invoice.Attempts, paid?.ChargeId, paid?.InvoiceId, error, now], cancellationToken);
        return status;
    }

    // Usage has no subscription owner: the tenant's first user hears about it.
    private static Task NotifyAsync(NpgsqlConnection connection, ChargeableInvoice invoice, string kind, object payload, string key, DateTimeOffset now,
        CancellationToken cancellationToken) =>
        invoice.RecipientId is { } recipient
            ? BillingNotifications.EnqueueAsync(connection, recipient, kind, payload, key, now, cancellationToken)
            : Task.CompletedTask;

    private async Task<List<(Guid TenantId, string Period)>> PendingAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT u.tenant_id, u.period FROM usage_invoices u LEFT JOIN usage_charges c ON c.tenant_id = u.tenant_id AND c.period = u.period
            WHERE coalesce(c.status, 'pending') IN ('pending', 'declined') ORDER BY u.issued_at, u.tenant_id
            """);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var pending = new List<(Guid, string)>();
        while (await reader.ReadAsync(cancellationToken)) pending.Add((reader.GetGuid(0), reader.GetString(1)));
        return pending;
    }

    private async Task<ChargeableInvoice> LockAsync(NpgsqlConnection connection, Guid tenantId, string period, CancellationToken cancellationToken)
    {
        await ScalarAsync(connection, """
            INSERT INTO usage_charges (tenant_id, period, status, attempts, updated_at) VALUES ($1, $2, 'pending', 0, $3) ON CONFLICT DO NOTHING
            """, [tenantId, period, time.GetUtcNow()], cancellationToken);
        await using var command = new NpgsqlCommand("""
            SELECT c.status, c.attempts, u.amount, u.currency, u.lines::text,
                   (SELECT id FROM users WHERE tenant_id = u.tenant_id ORDER BY created_at, id LIMIT 1)
            FROM usage_charges c JOIN usage_invoices u ON u.tenant_id = c.tenant_id AND u.period = c.period
            WHERE c.tenant_id = $1 AND c.period = $2 FOR UPDATE OF c
            """, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = tenantId });
        command.Parameters.Add(new NpgsqlParameter { Value = period });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new ChargeableInvoice(tenantId, period, reader.GetString(0), reader.GetInt32(1), reader.GetDecimal(2), reader.GetString(3),
            JsonSerializer.Deserialize<List<UsageChargeLine>>(reader.GetString(4), Json)!, reader.IsDBNull(5) ? null : reader.GetGuid(5));
    }

    private static async Task<object?> ScalarAsync(NpgsqlConnection connection, string sql, object?[] values, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var value in values) command.Parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value });
        return await command.ExecuteScalarAsync(cancellationToken);
    }

    private sealed record ChargeableInvoice(
        Guid TenantId, string Period, string Status, int Attempts, decimal Amount, string Currency, IReadOnlyList<UsageChargeLine> Lines, Guid? RecipientId);

    /// <summary>A metric's line as metering priced it (the shape of <c>usage_invoices.lines</c>).</summary>
    private sealed record UsageChargeLine(string Metric, long Quantity, long Included, long Billable, decimal UnitPrice, long UnitSize, decimal Amount);
}
