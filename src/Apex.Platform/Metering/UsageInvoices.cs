using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Apex.Platform.Metering;

/// <summary>
/// The billing end of the pipeline: a closed period's usage statement becomes one invoice per
/// tenant and period. The primary key makes closing idempotent: a second close returns the first.
/// </summary>
public sealed class UsageInvoices(NpgsqlDataSource dataSource, IOptions<MeteringOptions> options, TimeProvider time)
{
    public const string Schema = """
        CREATE TABLE IF NOT EXISTS usage_invoices (
            tenant_id uuid NOT NULL REFERENCES tenants(id),
            period text NOT NULL,
            amount numeric(12,2) NOT NULL,
            currency text NOT NULL,
            lines jsonb NOT NULL,
            issued_at timestamptz NOT NULL,
            PRIMARY KEY (tenant_id, period));
        """;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>A period closes when its month has ended: until then usage may still arrive.</summary>
    public bool IsClosed(string period) =>
        DateTimeOffset.ParseExact(period, "yyyy-MM", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal).AddMonths(1) <= time.GetUtcNow();

    public async Task<(UsageInvoice Invoice, bool Created)> IssueAsync(UsageStatement statement, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            INSERT INTO usage_invoices (tenant_id, period, amount, currency, lines, issued_at) VALUES ($1, $2, $3, $4, $5::jsonb, $6)
            ON CONFLICT (tenant_id, period) DO NOTHING
            """);
        foreach (var value in new object[] { statement.TenantId, statement.Period, statement.Total, options.Value.Currency,
                     JsonSerializer.Serialize(statement.Lines, Json), time.GetUtcNow() })
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        var created = await command.ExecuteNonQueryAsync(cancellationToken) == 1;
        return ((await FindAsync(statement.TenantId, statement.Period, cancellationToken))!, created);
    }

    public async Task<UsageInvoice?> FindAsync(Guid tenantId, string period, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT amount, currency, lines::text, issued_at FROM usage_invoices WHERE tenant_id = $1 AND period = $2");
        command.Parameters.Add(new NpgsqlParameter { Value = tenantId });
        command.Parameters.Add(new NpgsqlParameter { Value = period });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new UsageInvoice(tenantId, period, reader.GetDecimal(0), reader.GetString(1),
                JsonSerializer.Deserialize<List<UsageLine>>(reader.GetString(2), Json)!, reader.GetFieldValue<DateTimeOffset>(3))
            : null;
    }
}

public sealed record UsageInvoice(Guid TenantId, string Period, decimal Amount, string Currency, IReadOnlyList<UsageLine> Lines, DateTimeOffset IssuedAt);
