using System.Text.Json;
using System.Text.RegularExpressions;
using Npgsql;
using NpgsqlTypes;

namespace Apex.Platform.Data.Sync;

/// <summary>
/// The PostgreSQL side of PostgreSQL→ClickHouse sync: a row destined for a ClickHouse table is
/// written to <c>outbox</c> in the same transaction as the change it describes, so it exists if
/// and only if that change committed. <see cref="OutboxRelay"/> moves it on.
/// </summary>
public static partial class TransactionalOutbox
{
    public const string Schema = """
        CREATE TABLE IF NOT EXISTS outbox (
            id bigserial PRIMARY KEY,
            event_id uuid NOT NULL UNIQUE,
            target_table text NOT NULL,
            payload jsonb NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now(),
            relayed_at timestamptz)
        """;

    /// <summary>
    /// Adds one row for <paramref name="targetTable"/> within <paramref name="transaction"/>. The row is
    /// the ClickHouse row itself (snake_case properties); it gets an <c>event_id</c>, the relay's key.
    /// </summary>
    public static async Task<Guid> EnqueueAsync(NpgsqlTransaction transaction, string targetTable, object row, CancellationToken ct)
    {
        if (!Identifier().IsMatch(targetTable)) throw new ArgumentException($"'{targetTable}' is not a plain table name.", nameof(targetTable));
        var eventId = Guid.NewGuid();
        var payload = JsonSerializer.SerializeToNode(row, Json)!.AsObject();
        payload["event_id"] = eventId.ToString();
        await using var command = new NpgsqlCommand("INSERT INTO outbox (event_id, target_table, payload) VALUES ($1, $2, $3)", transaction.Connection, transaction);
        command.Parameters.Add(new() { Value = eventId });
        command.Parameters.Add(new() { Value = targetTable });
        command.Parameters.Add(new() { Value = payload.ToJsonString(), NpgsqlDbType = NpgsqlDbType.Jsonb });
        await command.ExecuteNonQueryAsync(ct);
        return eventId;
    }

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    internal static partial Regex Identifier();
}
