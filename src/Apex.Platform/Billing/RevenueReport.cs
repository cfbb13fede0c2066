using Npgsql;

namespace Apex.Platform.Billing;

/// <summary>
/// A tenant's revenue for a range of days, per ledger entry: billed, recognized in the range,
/// recognized up to its end and still deferred. Recognized to date plus deferred is each entry's
/// amount by construction; the test of the books is that a fully served entry has no deferral left.
/// </summary>
public sealed class RevenueReport(NpgsqlDataSource dataSource)
{
    public async Task<RevenueStatement> ForTenantAsync(Guid tenantId, DateOnly from, DateOnly to, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT i.id, i.kind, i.plan, i.amount, i.service_start, i.service_end,
                   coalesce(sum(e.amount) FILTER (WHERE e.day BETWEEN $2 AND $3), 0),
                   coalesce(sum(e.amount) FILTER (WHERE e.day <= $3), 0)
            FROM billing_invoices i LEFT JOIN revenue_entries e ON e.invoice_id = i.id
            WHERE i.tenant_id = $1 AND i.service_start < $4 GROUP BY i.id ORDER BY i.id
            """);
        foreach (var value in new object[] { tenantId, from, to, to.AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc) })
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var lines = new List<RevenueLine>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var (amount, toDate) = (reader.GetDecimal(3), reader.GetDecimal(7));
            lines.Add(new RevenueLine(reader.GetInt64(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2), amount,
                reader.GetFieldValue<DateTimeOffset>(4), reader.GetFieldValue<DateTimeOffset>(5), reader.GetDecimal(6), toDate, amount - toDate));
        }

        return new RevenueStatement(tenantId, from, to, lines, lines.Sum(l => l.Amount), lines.Sum(l => l.RecognizedInRange),
            lines.Sum(l => l.RecognizedToDate), lines.Sum(l => l.Deferred));
    }
}

public sealed record RevenueStatement(
    Guid TenantId, DateOnly From, DateOnly To, IReadOnlyList<RevenueLine> Lines, decimal Billed, decimal RecognizedInRange, decimal RecognizedToDate, decimal Deferred);

public sealed record RevenueLine(
    long InvoiceId, string Kind, string? Plan, decimal Amount, DateTimeOffset ServiceStart, DateTimeOffset ServiceEnd,
    decimal RecognizedInRange, decimal RecognizedToDate, decimal Deferred);
