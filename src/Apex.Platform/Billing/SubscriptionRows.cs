using Npgsql;

namespace Apex.Platform.Billing;

/// <summary>
/// One lifecycle change as a unit of work: the subscription row locked FOR UPDATE, then its new
/// state, the transition record, the ledger entry and the notice, committed together or not at all.
/// </summary>
public sealed class SubscriptionRows : IAsyncDisposable
{
    private readonly NpgsqlConnection _connection;
    private readonly NpgsqlTransaction _transaction;

    private SubscriptionRows(NpgsqlConnection connection, NpgsqlTransaction transaction) => (_connection, _transaction) = (connection, transaction);

    public static async Task<SubscriptionRows> OpenAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return new SubscriptionRows(connection, await connection.BeginTransactionAsync(cancellationToken));
    }

    public async Task<SubscriptionRow?> LockAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        await using var command = Command("""
            SELECT s.tenant_id, c.user_id, s.plan, s.status, s.amount, s.currency, coalesce(s.period_start, s.updated_at), s.current_period_end, s.credit_balance
            FROM subscriptions s JOIN checkout_sessions c ON c.id = s.checkout_session_id WHERE s.tenant_id = $1 FOR UPDATE OF s
            """, tenantId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new SubscriptionRow(reader.GetGuid(0), reader.GetGuid(1), reader.GetString(2), reader.GetString(3), reader.GetDecimal(4), reader.GetString(5),
                reader.GetFieldValue<DateTimeOffset>(6), reader.GetFieldValue<DateTimeOffset>(7), reader.GetDecimal(8))
            : null;
    }

    /// <summary>Moves the row to its new plan and status (same period), adding <paramref name="credit"/> to its balance.</summary>
    public Task MoveAsync(SubscriptionRow current, string plan, decimal amount, string status, decimal credit, DateTimeOffset now, CancellationToken cancellationToken) =>
        UpdateAsync(current, current with { Plan = plan, Amount = amount, Status = status, CreditBalance = current.CreditBalance + credit }, now, cancellationToken);

    public async Task UpdateAsync(SubscriptionRow before, SubscriptionRow to, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await ExecuteAsync("""
            UPDATE subscriptions SET plan = $2, amount = $3, status = $4, credit_balance = $5, period_start = $6, current_period_end = $7, updated_at = $8
            WHERE tenant_id = $1
            """, [to.TenantId, to.Plan, to.Amount, to.Status, to.CreditBalance, to.PeriodStart, to.PeriodEnd, now], cancellationToken);
        await ExecuteAsync("""
            INSERT INTO subscription_transitions (tenant_id, from_status, to_status, from_plan, to_plan, amount, at) VALUES ($1, $2, $3, $4, $5, $6, $7)
            """, [to.TenantId, before.Status, to.Status, before.Plan, to.Plan, to.Amount, now], cancellationToken);
    }

    public Task RecordAsync(LedgerEntry entry, DateTimeOffset now, CancellationToken cancellationToken) =>
        BillingLedger.RecordAsync(_connection, entry, now, cancellationToken);

    public Task NotifyAsync(SubscriptionRow row, string kind, object payload, string key, DateTimeOffset now, CancellationToken cancellationToken) =>
        BillingNotifications.EnqueueAsync(_connection, row.OwnerId, kind, payload, key, now, cancellationToken);

    /// <summary>Tenants whose period ended by <paramref name="now"/> in a state the renewal job acts on.</summary>
    public async Task<List<Guid>> DueAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var command = Command("""
            SELECT tenant_id FROM subscriptions WHERE current_period_end <= $1 AND status IN ('active', 'past_due', 'canceling') ORDER BY tenant_id
            """, now);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var due = new List<Guid>();
        while (await reader.ReadAsync(cancellationToken)) due.Add(reader.GetGuid(0));
        return due;
    }

    public Task CommitAsync(CancellationToken cancellationToken) => _transaction.CommitAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _transaction.DisposeAsync();
        await _connection.DisposeAsync();
    }

    private async Task ExecuteAsync(string sql, object[] values, CancellationToken cancellationToken)
    {
        await using var command = Command(sql, values);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private NpgsqlCommand Command(string sql, params object[] values)
    {
        var command = new NpgsqlCommand(sql, _connection, _transaction);
        foreach (var value in values) command.Parameters.Add(new NpgsqlParameter { Value = value });
        return command;
    }
}
