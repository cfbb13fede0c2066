using Npgsql;
using NpgsqlTypes;

namespace Apex.Platform.Agents;

/// <summary>
/// The storage manager for supervisor state: one document per run in PostgreSQL, replaced after
/// every LLM round, so a platform that restarts (or another instance) resumes where the run was.
/// A document of an older version is upgraded on load and written back in the current version.
/// </summary>
public sealed class AgentStateStore(NpgsqlDataSource dataSource, TimeProvider time)
{
    public const string Schema = """
        CREATE TABLE IF NOT EXISTS agent_states (
            run_id uuid PRIMARY KEY REFERENCES agent_runs(id) ON DELETE CASCADE,
            version int NOT NULL,
            document jsonb NOT NULL,
            saved_at timestamptz NOT NULL);
        """;

    public async Task SaveAsync(AgentState state, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            INSERT INTO agent_states (run_id, version, document, saved_at) VALUES ($1, $2, $3, $4)
            ON CONFLICT (run_id) DO UPDATE SET version = excluded.version, document = excluded.document, saved_at = excluded.saved_at
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = state.RunId });
        command.Parameters.Add(new NpgsqlParameter { Value = AgentState.CurrentVersion });
        command.Parameters.Add(new NpgsqlParameter { Value = AgentStateSerializer.Serialize(state), NpgsqlDbType = NpgsqlDbType.Jsonb });
        command.Parameters.Add(new NpgsqlParameter { Value = time.GetUtcNow() });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The run's state, upgraded to the current version; null when none was saved.</summary>
    /// <exception cref="AgentStateUnreadableException">The document is too new or damaged.</exception>
    public async Task<AgentState?> LoadAsync(Guid runId, string instructions, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT document::text FROM agent_states WHERE run_id = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = runId });
        if (await command.ExecuteScalarAsync(cancellationToken) is not string document)
        {
            return null;
        }

        var (state, migrated) = AgentStateSerializer.Deserialize(runId, document, instructions);
        if (migrated)
        {
            await SaveAsync(state, cancellationToken);
        }

        return state;
    }
}
