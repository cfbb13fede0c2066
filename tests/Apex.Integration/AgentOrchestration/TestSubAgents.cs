using System.Text.Json.Nodes;
using Apex.Platform.Agents;
using Apex.Platform.Agents.Versioning;

namespace Apex.Integration.AgentOrchestration;

/// <summary>
/// A specialist with a fixed opinion: answers every question about a model with the same value and
/// confidence. Real ISubAgent code, registered into the platform by the tests that need several
/// sub-agents to agree or disagree.
/// </summary>
public sealed class FixedAnswerAgent(string name, JsonNode value, double confidence) : ISubAgent
{
    public string Name => name;

    public string Description => $"An estimate of a model's price per 1,000 tokens ({name}).";

    public IReadOnlyList<ToolParameter> Parameters { get; } = [new("model", ToolParameterType.String, "Model name")];

    public Task<string> RunAsync(ToolArguments arguments, CancellationToken cancellationToken) =>
        Task.FromResult(new JsonObject { ["model"] = arguments.String("model"), ["pricePer1kTokens"] = value.DeepClone(), ["confidence"] = confidence }.ToJsonString());
}

/// <summary>Built for agent protocol 2: answers with a bare number, not a JSON object.</summary>
public sealed class LegacyWordCounter : ISubAgent, IVersionedAgent
{
    public int ProtocolVersion => 2;

    public string Name => "legacy_word_counter";

    public string Description => "Number of words in a text (protocol 2).";

    public IReadOnlyList<ToolParameter> Parameters { get; } = [new("text", ToolParameterType.String, "The text")];

    public Task<string> RunAsync(ToolArguments arguments, CancellationToken cancellationToken) =>
        Task.FromResult(arguments.String("text").Split(' ', StringSplitOptions.RemoveEmptyEntries).Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
}

/// <summary>Built for agent protocol 1, which this platform no longer speaks.</summary>
public sealed class AncientSummariser : ISubAgent, IVersionedAgent
{
    public int ProtocolVersion => 1;

    public string Name => "ancient_summariser";

    public string Description => "Summary of a text (protocol 1).";

    public IReadOnlyList<ToolParameter> Parameters { get; } = [new("text", ToolParameterType.String, "The text")];

    public Task<string> RunAsync(ToolArguments arguments, CancellationToken cancellationToken) => Task.FromResult(arguments.String("text")[..10]);
}

/// <summary>Built for agent protocol 4, newer than this platform.</summary>
public sealed class FutureTranslator : ISubAgent, IVersionedAgent
{
    public int ProtocolVersion => 4;

    public string Name => "future_translator";

    public string Description => "Translation of a text (protocol 4).";

    public IReadOnlyList<ToolParameter> Parameters { get; } = [new("text", ToolParameterType.String, "The text")];

    public Task<string> RunAsync(ToolArguments arguments, CancellationToken cancellationToken) =>
        Task.FromResult(new JsonObject { ["translation"] = arguments.String("text") }.ToJsonString());
}

/// <summary>Fetches a document of the asked length: what makes a conversation outgrow a model's window.</summary>
public sealed class DocumentFetcher : ISubAgent
{
    public string Name => "fetch_document";

    public string Description => "The text of a document, as many words as asked.";

    public IReadOnlyList<ToolParameter> Parameters { get; } = [new("words", ToolParameterType.Integer, "Length in words", Minimum: 1)];

    public Task<string> RunAsync(ToolArguments arguments, CancellationToken cancellationToken) =>
        Task.FromResult(new JsonObject { ["text"] = string.Join(' ', Enumerable.Repeat("alpha", (int)arguments.Integer("words"))) }.ToJsonString());
}
