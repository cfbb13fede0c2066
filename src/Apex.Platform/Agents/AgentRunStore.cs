using Apex.Platform.Auth;
using Npgsql;

namespace Apex.Platform.Agents;

/// <summary>
/// The supervisor's state in PostgreSQL: a run and its steps, each step written as it happens,
/// so any platform instance can read a run mid-flight or after a crash. Reads are tenant-scoped.
/// </summary>
public sealed class AgentRunStore(NpgsqlDataSource dataSource, TimeProvider time, Metrics.AgentMetrics metrics)
{
    public const string Schema = """
        CREATE TABLE IF NOT EXISTS agent_runs (
            id uuid PRIMARY KEY,
            tenant_id uuid NOT NULL REFERENCES tenants(id),
            user_id uuid NOT NULL REFERENCES users(id),
            goal text NOT NULL,
            status text NOT NULL,
            answer text,
            created_at timestamptz NOT NULL,
            updated_at timestamptz NOT NULL);
        CREATE INDEX IF NOT EXISTS agent_runs_tenant ON agent_runs (tenant_id, created_at);
        CREATE TABLE IF NOT EXISTS agent_run_steps (
            run_id uuid NOT NULL REFERENCES agent_runs(id) ON DELETE CASCADE,
            seq int NOT NULL,
            kind text NOT NULL,
            tool text,
            call_id text,
            content text NOT NULL,
            created_at timestamptz NOT NULL,
            PRIMARY KEY (run_id, seq));
        """;

    public async Task<Guid> StartAsync(UserContext user, string goal, CancellationToken cancellationToken)
    {
        var id = Guid.NewGuid();
        await ExecuteAsync(
            "INSERT INTO agent_runs (id, tenant_id, user_id, goal, status, created_at, updated_at) VALUES ($1, $2, $3, $4, 'running', $5, $5)",
            [id, user.TenantId, user.UserId, goal, time.GetUtcNow()], cancellationToken);
        return id;
    }

    /// <summary>
    /// Appends a step. One supervisor appends a run's steps one at a time, so taking the next
    /// sequence number in the insert is enough; the primary key would refuse a second writer.
    /// </summary>
    public async Task<int> AppendStepAsync(Guid runId, StepKind kind, string content, string? tool, string? callId, CancellationToken cancellationToken)
    {
        await using var command = Command("""
            INSERT INTO agent_run_steps (run_id, seq, kind, tool, call_id, content, created_at)
            SELECT $1, coalesce(max(seq), 0) + 1, $2, $3, $4, $5, $6 FROM agent_run_steps WHERE run_id = $1
            RETURNING seq
            """, [runId, StepKinds.Name(kind), (object?)tool ?? DBNull.Value, (object?)callId ?? DBNull.Value, content, time.GetUtcNow()]);
        var seq = (int)(await command.ExecuteScalarAsync(cancellationToken))!;
        metrics.Step(StepKinds.Name(kind));
        return seq;
    }

    public async Task FinishAsync(Guid runId, string status, string? answer, CancellationToken cancellationToken)
    {
        await ExecuteAsync("UPDATE agent_runs SET status = $2, answer = $3, updated_at = $4 WHERE id = $1",
            [runId, status, (object?)answer ?? DBNull.Value, time.GetUtcNow()], cancellationToken);
        if (status != "running") metrics.RunFinished(status);
    }

    public async Task<AgentRun?> FindAsync(Guid tenantId, Guid runId, CancellationToken cancellationToken)
    {
        var run = (await ListRunsAsync("WHERE tenant_id = $1 AND id = $2", [tenantId, runId], cancellationToken)).SingleOrDefault();
        return run is null ? null : run with { Steps = await StepsAsync(runId, cancellationToken) };
    }

    public Task<List<AgentRun>> ListAsync(Guid tenantId, CancellationToken cancellationToken) =>
        ListRunsAsync("WHERE tenant_id = $1 ORDER BY created_at, id", [tenantId], cancellationToken);

    private async Task<List<AgentRun>> ListRunsAsync(string where, object[] values, CancellationToken cancellationToken)
    {
        await using var command = Command($"SELECT id, tenant_id, user_id, goal, status, answer, created_at, updated_at FROM agent_runs {where}", values);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var runs = new List<AgentRun>();
        while (await reader.ReadAsync(cancellationToken))
        {
            runs.Add(new AgentRun(reader.GetGuid(0), reader.GetGuid(1), reader.GetGuid(2), reader.GetString(3), reader.GetString(4),
                reader.IsDBNull(5) ? null : reader.GetString(5), reader.GetFieldValue<DateTimeOffset>(6), reader.GetFieldValue<DateTimeOffset>(7), []));
        }

        return runs;
    }

    private async Task<IReadOnlyList<AgentStep>> StepsAsync(Guid runId, CancellationToken cancellationToken)
    {
        await using var command = Command("SELECT seq, kind, tool, call_id, content, created_at FROM agent_run_steps WHERE run_id = $1 ORDER BY seq", [runId]);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var steps = new List<AgentStep>();
        while (await reader.ReadAsync(cancellationToken))
        {
            steps.Add(new AgentStep(reader.GetInt32(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2),
                reader.IsDBNull(3) ? null : reader.GetString(3), reader.GetString(4), reader.GetFieldValue<DateTimeOffset>(5)));
        }

        return steps;
    }

    private async Task ExecuteAsync(string sql, object[] values, CancellationToken cancellationToken)
    {
        await using var command = Command(sql, values);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private NpgsqlCommand Command(string sql, object[] values)
    {
        var command = dataSource.CreateCommand(sql);
        foreach (var value in values) command.Parameters.Add(new NpgsqlParameter { Value = value });
        return command;
    }
}

public sealed record AgentRun(
    Guid Id, Guid TenantId, Guid UserId, string Goal, string Status, string? Answer,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, IReadOnlyList<AgentStep> Steps);

public sealed record AgentStep(int Seq, string Kind, string? Tool, string? CallId, string Content, DateTimeOffset At);

public enum StepKind
{
    Plan,
    ToolCall,
    ToolResult,
    ToolRefused,
    ToolFailed,
    Answer,
    Error,
    Resumed,
    Canceled,
    QualityRefused,
}

/// <summary>Step kinds as stored and served: snake_case, stable across renames of the enum.</summary>
public static class StepKinds
{
    public static string Name(StepKind kind) => kind switch
    {
        StepKind.Plan => "plan",
        StepKind.ToolCall => "tool_call",
        StepKind.ToolResult => "tool_result",
        StepKind.ToolRefused => "tool_refused",
        StepKind.ToolFailed => "tool_failed",
        StepKind.Answer => "answer",
        StepKind.Resumed => "resumed",
        StepKind.Canceled => "canceled",
        StepKind.QualityRefused => "quality_refused",
        _ => "error",
    };
}
