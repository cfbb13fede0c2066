using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Apex.Platform.Agents.Quality;

public sealed class QualityGateOptions
{
    public const string SectionName = "Platform:Agents:Quality";

    /// <summary>A JSON schema the final answer must satisfy; when set, the answer must be JSON.</summary>
    public string? Schema { get; set; }

    /// <summary>Top-level fields the JSON answer must have with a non-empty value.</summary>
    public List<string> RequiredFields { get; set; } = [];

    /// <summary>Phrases the answer must not contain (case-insensitive).</summary>
    public List<string> BannedPhrases { get; set; } = [];

    /// <summary>Answers the model may give, the first included, before the run is refused.</summary>
    [Range(1, 5, ErrorMessage = "Platform:Agents:Quality:MaxAttempts must be between 1 and 5.")]
    public int MaxAttempts { get; set; } = 2;

    public bool Enabled => Schema is not null || RequiredFields.Count > 0 || BannedPhrases.Count > 0;
}

public sealed record QualityVerdict(bool Passed, IReadOnlyList<string> Failures)
{
    public static readonly QualityVerdict Pass = new(true, []);

    /// <summary>What the model is told when its answer is sent back.</summary>
    public string Feedback => $"Your answer was refused by the quality gate: {string.Join("; ", Failures)}. Answer again, fixing every point.";
}

public sealed record QualityResult(Guid RunId, int Attempt, bool Passed, IReadOnlyList<string> Failures, DateTimeOffset At);

/// <summary>
/// Checks a run's final answer against the configured rules (a JSON schema, required fields,
/// banned content) and records every verdict per run in PostgreSQL. The supervisor sends a failing
/// answer back to the model with the failures as feedback, and refuses the run when the attempts
/// are used up. The schema is compiled once, at start, so a broken one stops the platform there.
/// </summary>
public sealed class QualityGate(IOptions<QualityGateOptions> options, NpgsqlDataSource dataSource, TimeProvider time)
{
    public const string Schema = """
        CREATE TABLE IF NOT EXISTS agent_quality_results (
            id bigserial PRIMARY KEY,
            run_id uuid NOT NULL,
            attempt int NOT NULL,
            passed boolean NOT NULL,
            failures jsonb NOT NULL,
            at timestamptz NOT NULL);
        CREATE INDEX IF NOT EXISTS agent_quality_results_run ON agent_quality_results (run_id);
        """;

    private readonly Lazy<JsonSchema?> _schema = new(() => options.Value.Schema is { } text ? JsonSchema.FromText(text) : null);

    public bool Enabled => options.Value.Enabled;

    public int MaxAttempts => options.Value.MaxAttempts;

    public async Task<QualityVerdict> CheckAsync(Guid runId, int attempt, string answer, CancellationToken cancellationToken)
    {
        if (!Enabled) return QualityVerdict.Pass;
        var failures = Evaluate(answer);
        await RecordAsync(runId, attempt, failures, cancellationToken);
        return failures.Count == 0 ? QualityVerdict.Pass : new QualityVerdict(false, failures);
    }

    public List<string> Evaluate(string answer)
    {
        var failures = options.Value.BannedPhrases
            .Where(phrase => answer.Contains(phrase, StringComparison.OrdinalIgnoreCase))
            .Select(phrase => $"it contains the banned phrase '{phrase}'").ToList();
        if (_schema.Value is null && options.Value.RequiredFields.Count == 0) return failures;

        JsonNode? document;
        try
        {
            document = JsonNode.Parse(answer);
        }
        catch (JsonException exception)
        {
            failures.Add($"it is not valid JSON ({exception.Message})");
            return failures;
        }

        failures.AddRange(options.Value.RequiredFields
            .Where(field => document is not JsonObject o || o[field] is null || (o[field]!.GetValueKind() == JsonValueKind.String && string.IsNullOrWhiteSpace(o[field]!.GetValue<string>())))
            .Select(field => $"the required field '{field}' is missing or empty"));
        if (_schema.Value is { } schema)
        {
            using var json = JsonDocument.Parse(answer);
            var result = schema.Evaluate(json.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
            failures.AddRange((result.Details ?? []).Where(d => d.Errors is not null).SelectMany(d => d.Errors!.Select(e => $"schema: {(d.InstanceLocation.ToString() is "" ? "/" : d.InstanceLocation.ToString())} {e.Value}")));
        }

        return failures;
    }

    public async Task<IReadOnlyList<QualityResult>> ResultsAsync(Guid runId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT run_id, attempt, passed, failures::text, at FROM agent_quality_results WHERE run_id = $1 ORDER BY id");
        command.Parameters.Add(new NpgsqlParameter { Value = runId });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var results = new List<QualityResult>();
        while (await reader.ReadAsync(cancellationToken))
        {
            results.Add(new QualityResult(reader.GetGuid(0), reader.GetInt32(1), reader.GetBoolean(2),
                JsonSerializer.Deserialize<List<string>>(reader.GetString(3))!, reader.GetFieldValue<DateTimeOffset>(4)));
        }

        return results;
    }

    private async Task RecordAsync(Guid runId, int attempt, List<string> failures, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("INSERT INTO agent_quality_results (run_id, attempt, passed, failures, at) VALUES ($1, $2, $3, $4::jsonb, $5)");
        foreach (var value in new object[] { runId, attempt, failures.Count == 0, JsonSerializer.Serialize(failures), time.GetUtcNow() })
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
