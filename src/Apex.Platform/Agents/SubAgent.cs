using System.Globalization;
using System.Text.Json;

namespace Apex.Platform.Agents;

/// <summary>
/// A specialist the supervisor can delegate to. The LLM sees it as a tool with the declared
/// parameters; the dispatcher checks the arguments against them before the sub-agent runs.
/// </summary>
public interface ISubAgent
{
    string Name { get; }

    string Description { get; }

    IReadOnlyList<ToolParameter> Parameters { get; }

    /// <summary>Does the work and returns its result as JSON text for the LLM to read.</summary>
    Task<string> RunAsync(ToolArguments arguments, CancellationToken cancellationToken);
}

public enum ToolParameterType
{
    String,
    Integer,
    Number,
}

public sealed record ToolParameter(string Name, ToolParameterType Type, string Description, decimal? Minimum = null);

/// <summary>Arguments that have passed the dispatcher's checks, so reading them cannot fail.</summary>
public sealed class ToolArguments(IReadOnlyDictionary<string, JsonElement> values)
{
    public string String(string name) => values[name].GetString()!;

    public long Integer(string name) => values[name].GetInt64();

    public decimal Number(string name) => values[name].GetDecimal();

    public override string ToString() =>
        string.Join(", ", values.Select(pair => string.Create(CultureInfo.InvariantCulture, $"{pair.Key}={pair.Value.GetRawText()}")));
}
