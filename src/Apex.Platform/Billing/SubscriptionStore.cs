using Npgsql;

namespace Apex.Platform.Billing;

/// <summary>
/// Subscriptions and checkout sessions in PostgreSQL. A tenant without a live subscription row
/// (active, past due in its grace, or canceling at period end) is on the free plan; only a
/// verified payment webhook creates one, and <see cref="SubscriptionLifecycle"/> moves it on.
/// </summary>
public sealed class SubscriptionStore(NpgsqlDataSource dataSource, TimeProvider time)
{
    public const string Schema = """
        CREATE TABLE IF NOT EXISTS checkout_sessions (
            id text PRIMARY KEY,
            tenant_id uuid NOT NULL REFERENCES tenants(id),
            user_id uuid NOT NULL REFERENCES users(id),
            plan text NOT NULL,
            amount numeric(12,2) NOT NULL,
            currency text NOT NULL,
            status text NOT NULL,
            created_at timestamptz NOT NULL,
            updated_at timestamptz NOT NULL);
        CREATE TABLE IF NOT EXISTS subscriptions (
            tenant_id uuid PRIMARY KEY REFERENCES tenants(id),
            plan text NOT NULL,
            status text NOT NULL,
            amount numeric(12,2) NOT NULL,
            currency text NOT NULL,
            checkout_session_id text NOT NULL REFERENCES checkout_sessions(id),
            current_period_end timestamptz NOT NULL,
            updated_at timestamptz NOT NULL);
        CREATE TABLE IF NOT EXISTS payment_events (
            event_id text PRIMARY KEY,
            type text NOT NULL,
            checkout_session_id text NOT NULL,
            tenant_id uuid NOT NULL REFERENCES tenants(id),
            amount numeric(12,2) NOT NULL,
            currency text NOT NULL,
            payload jsonb NOT NULL,
            received_at timestamptz NOT NULL);
        CREATE TABLE IF NOT EXISTS usage_counters (
            tenant_id uuid NOT NULL REFERENCES tenants(id),
            feature text NOT NULL,
            period text NOT NULL,
            used int NOT NULL,
            PRIMARY KEY (tenant_id, feature, period));
        """;

    public async Task<string> CurrentPlanAsync(Guid tenantId, CancellationToken cancellationToken) =>
        (await FindAsync(tenantId, cancellationToken))?.Plan ?? PlanCatalog.Free;

    public async Task<Subscription?> FindAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            """
            SELECT plan, status, amount, currency, current_period_end, period_start, credit_balance FROM subscriptions
            WHERE tenant_id = $1 AND status IN ('active', 'past_due', 'canceling')
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = tenantId });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new Subscription(reader.GetString(0), reader.GetString(1), reader.GetDecimal(2), reader.GetString(3), reader.GetFieldValue<DateTimeOffset>(4),
                reader.IsDBNull(5) ? null : reader.GetFieldValue<DateTimeOffset>(5), reader.GetDecimal(6))
            : null;
    }

    public async Task RecordCheckoutAsync(CheckoutSession session, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            INSERT INTO checkout_sessions (id, tenant_id, user_id, plan, amount, currency, status, created_at, updated_at)
            VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7, $7)
            """);
        var now = time.GetUtcNow();
        foreach (var value in new object[] { session.Id, session.TenantId, session.UserId, session.Plan, session.Amount, session.Currency, now })
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}

public sealed record Subscription(
    string Plan, string Status, decimal Amount, string Currency, DateTimeOffset CurrentPeriodEnd, DateTimeOffset? PeriodStart = null, decimal CreditBalance = 0m);

public sealed record CheckoutSession(string Id, Guid TenantId, Guid UserId, string Plan, decimal Amount, string Currency);
