using System.Text.Json;
using System.Text.Json.Nodes;
using Npgsql;
using NpgsqlTypes;

namespace Apex.Platform.Agents;

/// <summary>
/// The workflow state machine in PostgreSQL: the definition, the current node, status and every
/// node's output, updated after each node; and every transition in order. A workflow that failed
/// (or whose platform stopped) is resumed from here by any instance. Reads are tenant-scoped.
/// </summary>
public sealed class WorkflowStore(NpgsqlDataSource dataSource, TimeProvider time)
{
    public const string Schema = """
        CREATE TABLE IF NOT EXISTS agent_workflows (
            id uuid PRIMARY KEY,
            tenant_id uuid NOT NULL REFERENCES tenants(id),
            user_id uuid NOT NULL REFERENCES users(id),
            definition jsonb NOT NULL,
            status text NOT NULL,
            current_node text,
            "values" jsonb NOT NULL,
            created_at timestamptz NOT NULL,
            updated_at timestamptz NOT NULL);
        CREATE TABLE IF NOT EXISTS agent_workflow_transitions (
            seq bigserial PRIMARY KEY,
            workflow_id uuid NOT NULL REFERENCES agent_workflows(id) ON DELETE CASCADE,
            node text,
            event text NOT NULL,
            detail text,
            at timestamptz NOT NULL);
        CREATE INDEX IF NOT EXISTS agent_workflow_transitions_workflow ON agent_workflow_transitions (workflow_id, seq);
        """;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task CreateAsync(Guid id, Guid tenantId, Guid userId, WorkflowDefinition definition, JsonObject values, CancellationToken cancellationToken)
    {
        await using var command = Command("""
            INSERT INTO agent_workflows (id, tenant_id, user_id, definition, status, current_node, "values", created_at, updated_at)
            VALUES ($1, $2, $3, $4, 'running', $5, $6, $7, $7)
            """, id, tenantId, userId, Jsonb(JsonSerializer.Serialize(definition, Json)), definition.Start, Jsonb(values.ToJsonString()), time.GetUtcNow());
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The state machine's one write per node: where it is now, in which status, with which outputs.</summary>
    public async Task SaveAsync(Guid id, string status, string? currentNode, JsonObject values, CancellationToken cancellationToken)
    {
        await using var command = Command("""UPDATE agent_workflows SET status = $2, current_node = $3, "values" = $4, updated_at = $5 WHERE id = $1""",
            id, status, currentNode, Jsonb(values.ToJsonString()), time.GetUtcNow());
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task RecordAsync(Guid id, string? node, string @event, string? detail, CancellationToken cancellationToken)
    {
        await using var command = Command("INSERT INTO agent_workflow_transitions (workflow_id, node, event, detail, at) VALUES ($1, $2, $3, $4, $5)",
            id, node, @event, detail, time.GetUtcNow());
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<WorkflowRun?> FindAsync(Guid tenantId, Guid id, CancellationToken cancellationToken)
    {
        WorkflowRun run;
        await using (var command = Command("""
            SELECT definition::text, status, current_node, "values"::text FROM agent_workflows WHERE tenant_id = $1 AND id = $2
            """, tenantId, id))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            if (!await reader.ReadAsync(cancellationToken)) return null;
            run = new WorkflowRun(id, tenantId, reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2),
                JsonSerializer.Deserialize<WorkflowDefinition>(reader.GetString(0), Json)!, JsonNode.Parse(reader.GetString(3))!.AsObject(), []);
        }

        return run with { Transitions = await TransitionsAsync(id, cancellationToken) };
    }

    private async Task<List<WorkflowTransition>> TransitionsAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var command = Command("SELECT seq, node, event, detail, at FROM agent_workflow_transitions WHERE workflow_id = $1 ORDER BY seq", id);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var transitions = new List<WorkflowTransition>();
        while (await reader.ReadAsync(cancellationToken))
        {
            transitions.Add(new WorkflowTransition(reader.GetInt64(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetString(2),
                reader.IsDBNull(3) ? null : reader.GetString(3), reader.GetFieldValue<DateTimeOffset>(4)));
        }

        return transitions;
    }

    private static NpgsqlParameter Jsonb(string json) => new() { Value = json, NpgsqlDbType = NpgsqlDbType.Jsonb };

    private NpgsqlCommand Command(string sql, params object?[] values)
    {
        var command = dataSource.CreateCommand(sql);
        foreach (var value in values) command.Parameters.Add(value as NpgsqlParameter ?? new NpgsqlParameter { Value = value ?? DBNull.Value });
        return command;
    }
}

/// <summary>A workflow as stored: status (running, completed, failed), the node it is at, its values and transitions.</summary>
public sealed record WorkflowRun(
    Guid Id, Guid TenantId, string Status, string? CurrentNode, WorkflowDefinition Definition, JsonObject Values, IReadOnlyList<WorkflowTransition> Transitions);

public sealed record WorkflowTransition(long Seq, string? Node, string Event, string? Detail, DateTimeOffset At);
