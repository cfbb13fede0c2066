using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using Npgsql;

namespace Apex.Platform.Agents.Aggregation;

/// <summary>One question put to several sub-agents, and which field of their results is the answer.</summary>
public sealed record AggregationRequest(
    IReadOnlyList<string> Agents, JsonObject Arguments, string Field, ConflictPolicy Policy, IReadOnlyList<string>? SourcePriority = null);

/// <summary>
/// Asks several sub-agents the same question through the tool dispatcher (so arguments are checked
/// and failures come back as results), merges their answers with <see cref="ResultAggregator"/>
/// and records every aggregation with a conflict in PostgreSQL, per tenant.
/// </summary>
public sealed class AggregationService(ToolDispatcher dispatcher, NpgsqlDataSource dataSource, TimeProvider time)
{
    public const string Schema = """
        CREATE TABLE IF NOT EXISTS agent_result_conflicts (
            id uuid PRIMARY KEY,
            tenant_id uuid NOT NULL,
            field text NOT NULL,
            policy text NOT NULL,
            chosen text NOT NULL,
            reason text NOT NULL,
            answers jsonb NOT NULL,
            created_at timestamptz NOT NULL);
        CREATE INDEX IF NOT EXISTS agent_result_conflicts_tenant ON agent_result_conflicts (tenant_id, created_at);
        """;

    public async Task<AggregatedResult> AggregateAsync(Guid tenantId, AggregationRequest request, CancellationToken cancellationToken)
    {
        var answers = new List<SubAgentAnswer>();
        var failed = new List<string>();
        var arguments = JsonSerializer.Deserialize<Dictionary<string, object?>>(request.Arguments.ToJsonString());
        // Sub-agents run concurrently: the slowest one bounds the wait, not their sum.
        var outcomes = await Task.WhenAll(request.Agents.Select(agent =>
            dispatcher.DispatchAsync(new FunctionCallContent($"agg_{agent}", agent, arguments), cancellationToken)));
        for (var i = 0; i < request.Agents.Count; i++)
        {
            if (ReadAnswer(request.Agents[i], outcomes[i], request.Field) is { } answer) answers.Add(answer);
            else failed.Add(request.Agents[i]);
        }

        var result = ResultAggregator.Aggregate(answers, request.Policy, request.SourcePriority ?? [], failed);
        if (result.Conflict) await RecordAsync(tenantId, request, result, answers, cancellationToken);
        return result;
    }

    public async Task<IReadOnlyList<RecordedConflict>> ConflictsAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT field, policy, chosen, reason, answers::text FROM agent_result_conflicts WHERE tenant_id = $1 ORDER BY created_at, id");
        command.Parameters.Add(new NpgsqlParameter { Value = tenantId });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var conflicts = new List<RecordedConflict>();
        while (await reader.ReadAsync(cancellationToken))
        {
            conflicts.Add(new RecordedConflict(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                JsonSerializer.Deserialize<List<SubAgentAnswer>>(reader.GetString(4), JsonSerializerOptions.Web)!));
        }

        return conflicts;
    }

    private static SubAgentAnswer? ReadAnswer(string agent, ToolOutcome outcome, string field)
    {
        if (outcome.Status != ToolStatus.Succeeded || JsonNode.Parse(outcome.Content) is not JsonObject result || result[field] is not { } value)
        {
            return null;
        }

        var confidence = result["confidence"]?.GetValue<double>() ?? 0.5;
        var text = value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : value.ToJsonString();
        return new SubAgentAnswer(agent, text, confidence);
    }

    private async Task RecordAsync(Guid tenantId, AggregationRequest request, AggregatedResult result, List<SubAgentAnswer> answers, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            INSERT INTO agent_result_conflicts (id, tenant_id, field, policy, chosen, reason, answers, created_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8)
            """);
        foreach (var value in new object[]
        {
            Guid.NewGuid(), tenantId, request.Field, result.Policy.ToString(), result.Answer, result.Reason,
            JsonSerializer.Serialize(answers, JsonSerializerOptions.Web), time.GetUtcNow(),
        })
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}

public sealed record RecordedConflict(string Field, string Policy, string Chosen, string Reason, IReadOnlyList<SubAgentAnswer> Answers);

/// <summary>Parses a policy name as sent over HTTP, case-insensitively.</summary>
public static class ConflictPolicies
{
    public static bool TryParse(string? text, out ConflictPolicy policy) =>
        Enum.TryParse(text?.Replace("-", string.Empty, StringComparison.Ordinal).Replace("_", string.Empty, StringComparison.Ordinal), ignoreCase: true, out policy)
        && Enum.IsDefined(policy);

    public static string Names => string.Join(", ", Enum.GetNames<ConflictPolicy>().Select(n => n.ToLower(CultureInfo.InvariantCulture)));
}
