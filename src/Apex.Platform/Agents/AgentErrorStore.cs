using System.Text.Json;
using System.Text.Json.Serialization;
using Npgsql;
using NpgsqlTypes;

namespace Apex.Platform.Agents;

/// <summary>
/// The error report of agent runs in PostgreSQL: one row per captured error, with its causes
/// (for an aggregated one) kept as they were at the time. Reads are tenant-scoped and in the order
/// the errors were recorded (seq: timestamps of errors microseconds apart can be equal).
/// </summary>
public sealed class AgentErrorStore(NpgsqlDataSource dataSource)
{
    public const string Schema = """
        CREATE TABLE IF NOT EXISTS agent_errors (
            id uuid PRIMARY KEY,
            seq bigserial NOT NULL,
            run_id uuid NOT NULL REFERENCES agent_runs(id) ON DELETE CASCADE,
            tenant_id uuid NOT NULL,
            step int,
            agent text NOT NULL,
            call_id text,
            class text NOT NULL,
            route text NOT NULL,
            error_type text NOT NULL,
            message text NOT NULL,
            causes jsonb NOT NULL,
            at timestamptz NOT NULL);
        CREATE INDEX IF NOT EXISTS agent_errors_run ON agent_errors (tenant_id, run_id, seq);
        """;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    /// <summary>Safe to call twice for one error (two handlers of its class may both record it).</summary>
    public async Task SaveAsync(AgentError error, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            INSERT INTO agent_errors (id, run_id, tenant_id, step, agent, call_id, class, route, error_type, message, causes, at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (id) DO NOTHING
            """);
        object?[] values = [error.Id, error.RunId, error.TenantId, error.Step, error.Agent, error.CallId, error.Class.ToString(),
            error.Route, error.ErrorType, error.Message];
        foreach (var value in values) command.Parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter { Value = JsonSerializer.Serialize(error.Causes, Json), NpgsqlDbType = NpgsqlDbType.Jsonb });
        command.Parameters.Add(new NpgsqlParameter { Value = error.At });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<List<AgentError>> ListAsync(Guid tenantId, Guid runId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT id, run_id, tenant_id, step, agent, call_id, class, route, error_type, message, causes::text, at
            FROM agent_errors WHERE tenant_id = $1 AND run_id = $2 ORDER BY seq
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = tenantId });
        command.Parameters.Add(new NpgsqlParameter { Value = runId });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var errors = new List<AgentError>();
        while (await reader.ReadAsync(cancellationToken))
        {
            errors.Add(new AgentError(reader.GetGuid(0), reader.GetGuid(1), reader.GetGuid(2), reader.IsDBNull(3) ? null : reader.GetInt32(3),
                reader.GetString(4), reader.IsDBNull(5) ? null : reader.GetString(5), Enum.Parse<ErrorClass>(reader.GetString(6)), reader.GetString(7),
                reader.GetString(8), reader.GetString(9), reader.GetFieldValue<DateTimeOffset>(11),
                JsonSerializer.Deserialize<List<AgentError>>(reader.GetString(10), Json) ?? []));
        }

        return errors;
    }
}
