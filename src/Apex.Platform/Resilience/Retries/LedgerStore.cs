using Npgsql;

namespace Apex.Platform.Resilience.Retries;

/// <summary>
/// The ledger service's entries, unique by idempotency key: the first write with a key books the
/// entry, every later one with the same key gets the booked entry back and books nothing.
/// </summary>
public sealed class LedgerStore(NpgsqlDataSource database, TimeProvider time)
{
    public const string Schema = """
        CREATE TABLE IF NOT EXISTS resilience_ledger (
            idempotency_key text PRIMARY KEY,
            account text NOT NULL,
            amount_cents bigint NOT NULL,
            booked_at timestamptz NOT NULL);
        """;

    /// <summary>Books the entry unless the key was used; returns the entry and whether this call booked it.</summary>
    public async Task<(LedgerEntry Entry, bool Booked)> BookAsync(string key, LedgerEntryRequest request, CancellationToken cancellationToken)
    {
        await using var insert = database.CreateCommand("""
            INSERT INTO resilience_ledger (idempotency_key, account, amount_cents, booked_at) VALUES ($1, $2, $3, $4)
            ON CONFLICT (idempotency_key) DO NOTHING
            """);
        insert.Parameters.AddWithValue(key);
        insert.Parameters.AddWithValue(request.Account);
        insert.Parameters.AddWithValue(request.AmountCents);
        insert.Parameters.AddWithValue(time.GetUtcNow());
        var booked = await insert.ExecuteNonQueryAsync(cancellationToken) == 1;
        var entries = await ListAsync("idempotency_key = $1", key, cancellationToken);
        return (entries.Single(), booked);
    }

    public Task<IReadOnlyList<LedgerEntry>> ForAccountAsync(string account, CancellationToken cancellationToken) =>
        ListAsync("account = $1", account, cancellationToken);

    private async Task<IReadOnlyList<LedgerEntry>> ListAsync(string where, string value, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand(
            $"SELECT idempotency_key, account, amount_cents, booked_at FROM resilience_ledger WHERE {where} ORDER BY booked_at, idempotency_key");
        command.Parameters.AddWithValue(value);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var entries = new List<LedgerEntry>();
        while (await reader.ReadAsync(cancellationToken))
        {
            entries.Add(new LedgerEntry(reader.GetString(0), reader.GetString(1), reader.GetInt64(2), reader.GetFieldValue<DateTimeOffset>(3)));
        }

        return entries;
    }
}

public sealed record LedgerEntry(string IdempotencyKey, string Account, long AmountCents, DateTimeOffset BookedAt);
