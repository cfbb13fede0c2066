using Npgsql;
using NpgsqlTypes;

namespace Apex.Platform.Billing;

/// <summary>
/// Recognizes billed amounts day by day over the service period they pay for (ratably, as ASC 606
/// has subscriptions recognized). Day k of n carries round(amount·k/n) − round(amount·(k−1)/n),
/// so the days of an entry add up to its amount to the cent. A run recognizes every day up to the
/// last day that has ended, each (entry, day) once, and leaves an audit row, even when it adds nothing.
/// </summary>
public sealed class RevenueRecognition(NpgsqlDataSource dataSource, TimeProvider time)
{
    public const string Schema = """
        CREATE TABLE IF NOT EXISTS revenue_audit (
            id bigserial PRIMARY KEY,
            through date NOT NULL,
            run_at timestamptz NOT NULL,
            entries int NOT NULL,
            amount numeric(14,2) NOT NULL);
        CREATE TABLE IF NOT EXISTS revenue_entries (
            invoice_id bigint NOT NULL REFERENCES billing_invoices(id),
            day date NOT NULL,
            tenant_id uuid NOT NULL,
            amount numeric(12,2) NOT NULL,
            audit_id bigint NOT NULL REFERENCES revenue_audit(id),
            PRIMARY KEY (invoice_id, day));
        """;

    // Runs of the job on several instances take turns; each sees what the previous one wrote.
    private const long RecognitionLockKey = 0x52455631; // "REV1"

    public async Task<RecognitionRun> RecognizeThroughAsync(DateOnly through, CancellationToken cancellationToken)
    {
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        if (through >= today) throw new ArgumentOutOfRangeException(nameof(through), through, $"Only days that have ended can be recognized; the last one is {today.AddDays(-1):yyyy-MM-dd}.");
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var lockCommand = new NpgsqlCommand($"SELECT pg_advisory_xact_lock({RecognitionLockKey})", connection)) await lockCommand.ExecuteNonQueryAsync(cancellationToken);
        var entries = (await OpenInvoicesAsync(connection, through, cancellationToken))
            .SelectMany(invoice => Schedule(invoice.Amount, invoice.Start, invoice.End)
                .Where(day => day.Day <= through && (invoice.RecognizedThrough is null || day.Day > invoice.RecognizedThrough))
                .Select(day => (invoice.Id, invoice.TenantId, day.Day, day.Amount)))
            .ToList();
        var run = new RecognitionRun(0, through, time.GetUtcNow(), entries.Count, entries.Sum(e => e.Amount));
        run = run with { Id = await AuditAsync(connection, run, cancellationToken) };
        await WriteAsync(connection, run.Id, entries, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return run;
    }

    /// <summary>Each day of the service period with its share; a period shorter than a day is one day.</summary>
    public static IEnumerable<(DateOnly Day, decimal Amount)> Schedule(decimal amount, DateTimeOffset start, DateTimeOffset end)
    {
        var first = DateOnly.FromDateTime(start.UtcDateTime);
        var endDay = DateOnly.FromDateTime(end.UtcDateTime);
        var days = Math.Max(1, (end.UtcDateTime.TimeOfDay == TimeSpan.Zero ? endDay : endDay.AddDays(1)).DayNumber - first.DayNumber);
        var before = 0m;
        for (var k = 1; k <= days; k++)
        {
            var through = decimal.Round(amount * k / days, 2, MidpointRounding.AwayFromZero);
            yield return (first.AddDays(k - 1), through - before);
            before = through;
        }
    }

    private static async Task<List<OpenInvoice>> OpenInvoicesAsync(NpgsqlConnection connection, DateOnly through, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("""
            SELECT i.id, i.tenant_id, i.amount, i.service_start, i.service_end, max(e.day)
            FROM billing_invoices i LEFT JOIN revenue_entries e ON e.invoice_id = i.id
            WHERE i.service_start < $1 GROUP BY i.id ORDER BY i.id
            """, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = through.AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc) });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var invoices = new List<OpenInvoice>();
        while (await reader.ReadAsync(cancellationToken))
        {
            invoices.Add(new OpenInvoice(reader.GetInt64(0), reader.GetGuid(1), reader.GetDecimal(2), reader.GetFieldValue<DateTimeOffset>(3),
                reader.GetFieldValue<DateTimeOffset>(4), reader.IsDBNull(5) ? null : reader.GetFieldValue<DateOnly>(5)));
        }

        return invoices;
    }

    private static async Task<long> AuditAsync(NpgsqlConnection connection, RecognitionRun run, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("INSERT INTO revenue_audit (through, run_at, entries, amount) VALUES ($1, $2, $3, $4) RETURNING id", connection);
        foreach (var value in new object[] { run.Through, run.RunAt, run.Entries, run.Amount }) command.Parameters.Add(new NpgsqlParameter { Value = value });
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private static async Task WriteAsync(NpgsqlConnection connection, long auditId, List<(long Invoice, Guid Tenant, DateOnly Day, decimal Amount)> entries,
        CancellationToken cancellationToken)
    {
        await using var import = await connection.BeginBinaryImportAsync("COPY revenue_entries (invoice_id, day, tenant_id, amount, audit_id) FROM STDIN (FORMAT BINARY)", cancellationToken);
        foreach (var entry in entries)
        {
            await import.StartRowAsync(cancellationToken);
            await import.WriteAsync(entry.Invoice, NpgsqlDbType.Bigint, cancellationToken);
            await import.WriteAsync(entry.Day, NpgsqlDbType.Date, cancellationToken);
            await import.WriteAsync(entry.Tenant, NpgsqlDbType.Uuid, cancellationToken);
            await import.WriteAsync(entry.Amount, NpgsqlDbType.Numeric, cancellationToken);
            await import.WriteAsync(auditId, NpgsqlDbType.Bigint, cancellationToken);
        }

        await import.CompleteAsync(cancellationToken);
    }

    private sealed record OpenInvoice(long Id, Guid TenantId, decimal Amount, DateTimeOffset Start, DateTimeOffset End, DateOnly? RecognizedThrough);
}

/// <summary>One recognition run as its audit row records it.</summary>
public sealed record RecognitionRun(long Id, DateOnly Through, DateTimeOffset RunAt, int Entries, decimal Amount);
