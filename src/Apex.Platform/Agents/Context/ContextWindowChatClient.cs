using System.Text.Json;
using Apex.Platform.Agents.Llm;
using Microsoft.Extensions.AI;
using Npgsql;

namespace Apex.Platform.Agents.Context;

public sealed record ContextTrim(Guid RunId, string Model, int Budget, int TokensBefore, int TokensAfter, IReadOnlyList<DroppedPart> Dropped, DateTimeOffset At);

/// <summary>Fits every call into the model's window before it leaves, and records what was dropped, per run.</summary>
public sealed class ContextWindowChatClient(IChatClient inner, ContextWindowManager manager, ContextTrimStore trims, string model) : DelegatingChatClient(inner)
{
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var fit = manager.Fit(messages as IList<ChatMessage> ?? [.. messages], options?.ModelId ?? model);
        if (fit.Dropped.Count > 0 && AgentCallContext.Current is { } call)
        {
            await trims.RecordAsync(call.RunId, options?.ModelId ?? model, fit, cancellationToken);
        }

        return await base.GetResponseAsync(fit.Messages, options, cancellationToken);
    }
}

public sealed class ContextTrimStore(NpgsqlDataSource dataSource, TimeProvider time)
{
    public const string Schema = """
        CREATE TABLE IF NOT EXISTS agent_context_trims (
            id bigserial PRIMARY KEY,
            run_id uuid NOT NULL,
            model text NOT NULL,
            budget int NOT NULL,
            tokens_before int NOT NULL,
            tokens_after int NOT NULL,
            dropped jsonb NOT NULL,
            at timestamptz NOT NULL);
        CREATE INDEX IF NOT EXISTS agent_context_trims_run ON agent_context_trims (run_id);
        """;

    public async Task RecordAsync(Guid runId, string model, ContextFit fit, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "INSERT INTO agent_context_trims (run_id, model, budget, tokens_before, tokens_after, dropped, at) VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7)");
        foreach (var value in new object[] { runId, model, fit.Budget, fit.TokensBefore, fit.TokensAfter, JsonSerializer.Serialize(fit.Dropped, JsonSerializerOptions.Web), time.GetUtcNow() })
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<ContextTrim>> ForRunAsync(Guid runId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT run_id, model, budget, tokens_before, tokens_after, dropped::text, at FROM agent_context_trims WHERE run_id = $1 ORDER BY id");
        command.Parameters.Add(new NpgsqlParameter { Value = runId });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var trims = new List<ContextTrim>();
        while (await reader.ReadAsync(cancellationToken))
        {
            trims.Add(new ContextTrim(reader.GetGuid(0), reader.GetString(1), reader.GetInt32(2), reader.GetInt32(3), reader.GetInt32(4),
                JsonSerializer.Deserialize<List<DroppedPart>>(reader.GetString(5), JsonSerializerOptions.Web)!, reader.GetFieldValue<DateTimeOffset>(6)));
        }

        return trims;
    }
}
