using System.Text.Json;
using Apex.Platform.Data.ClickHouse;
using Npgsql;

namespace Apex.Platform.Data.Sync;

/// <summary>
/// Moves committed outbox rows to ClickHouse, at least once and counted once: rows are claimed
/// with <c>FOR UPDATE SKIP LOCKED</c> (several relays share the work), event ids ClickHouse already
/// holds are skipped, the rest inserted, and only then are the rows marked relayed. A relay that
/// dies between the insert and the mark leaves the rows unmarked; the next relay finds their ids
/// in ClickHouse and only marks them (ADR 0111).
/// </summary>
public sealed class OutboxRelay(NpgsqlDataSource dataSource, ClickHouseHttpClient clickHouse)
{
    private const string Claim = """
        SELECT id, event_id, target_table, payload::text FROM outbox
        WHERE relayed_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED
        """;

    public async Task<RelayResult> RelayOnceAsync(int batchSize, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        var claimed = await ClaimAsync(connection, batchSize, ct);
        var inserted = 0;
        foreach (var group in claimed.GroupBy(r => r.Table))
        {
            inserted += await InsertMissingAsync(group.Key, [.. group], ct);
        }

        await using (var mark = new NpgsqlCommand("UPDATE outbox SET relayed_at = now() WHERE id = ANY($1)", connection, transaction))
        {
            mark.Parameters.Add(new() { Value = claimed.Select(r => r.Id).ToArray() });
            await mark.ExecuteNonQueryAsync(ct);
        }

        await transaction.CommitAsync(ct);
        return new RelayResult(claimed.Count, inserted, claimed.Count - inserted);
    }

    /// <summary>Relays until nothing is left; returns the totals.</summary>
    public async Task<RelayResult> DrainAsync(int batchSize, CancellationToken ct)
    {
        var total = new RelayResult(0, 0, 0);
        for (RelayResult step; (step = await RelayOnceAsync(batchSize, ct)).Claimed > 0;)
        {
            total = new RelayResult(total.Claimed + step.Claimed, total.Inserted + step.Inserted, total.AlreadyPresent + step.AlreadyPresent);
        }

        return total;
    }

    private static async Task<List<OutboxRow>> ClaimAsync(NpgsqlConnection connection, int batchSize, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(Claim, connection);
        command.Parameters.Add(new() { Value = batchSize });
        await using var reader = await command.ExecuteReaderAsync(ct);
        var rows = new List<OutboxRow>();
        while (await reader.ReadAsync(ct)) rows.Add(new OutboxRow(reader.GetInt64(0), reader.GetGuid(1), reader.GetString(2), reader.GetString(3)));
        return rows;
    }

    private async Task<int> InsertMissingAsync(string table, List<OutboxRow> rows, CancellationToken ct)
    {
        if (!TransactionalOutbox.Identifier().IsMatch(table)) throw new InvalidOperationException($"Outbox row for '{table}', which is not a plain table name.");
        var ids = string.Join(", ", rows.Select(r => ClickHouseHttpClient.Literal(r.EventId.ToString())));
        var present = (await clickHouse.QueryAsync<EventIdRow>($"SELECT event_id FROM {table} WHERE event_id IN ({ids})", ct))
            .Select(r => r.EventId).ToHashSet();
        var missing = rows.Where(r => !present.Contains(r.EventId.ToString())).ToList();
        if (missing.Count > 0) await clickHouse.InsertAsync(table, missing.Select(r => JsonDocument.Parse(r.Payload).RootElement), ct);
        return missing.Count;
    }

    private sealed record OutboxRow(long Id, Guid EventId, string Table, string Payload);

    private sealed record EventIdRow(string EventId);
}

/// <summary>One relay pass: rows claimed, rows inserted into ClickHouse, rows ClickHouse already had (a previous relay died before marking).</summary>
public sealed record RelayResult(int Claimed, int Inserted, int AlreadyPresent);
