using System.Text.Json;

namespace Apex.Platform.Agents;

/// <summary>
/// Checks a tool call's arguments against the sub-agent's declared parameters: every one present,
/// of its type and range, and nothing else. Models do send strings for numbers and invent fields.
/// </summary>
internal static class ToolArgumentValidator
{
    public static (ToolArguments? Arguments, List<string> Problems) Validate(
        IReadOnlyList<ToolParameter> parameters, IDictionary<string, object?>? raw)
    {
        var values = (raw ?? new Dictionary<string, object?>()).ToDictionary(pair => pair.Key, pair => ToElement(pair.Value), StringComparer.Ordinal);
        var problems = new List<string>();
        foreach (var parameter in parameters)
        {
            if (!values.TryGetValue(parameter.Name, out var value))
            {
                problems.Add($"'{parameter.Name}' is required");
            }
            else if (Check(parameter, value) is { } problem)
            {
                problems.Add(problem);
            }
        }

        var declared = parameters.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        problems.AddRange(values.Keys.Where(name => !declared.Contains(name)).Select(name => $"'{name}' is not a parameter"));
        return problems.Count == 0 ? (new ToolArguments(values), problems) : (null, problems);
    }

    private static string? Check(ToolParameter parameter, JsonElement value)
    {
        var typeOk = parameter.Type switch
        {
            ToolParameterType.String => value.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(value.GetString()),
            ToolParameterType.Integer => value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out _),
            _ => value.ValueKind == JsonValueKind.Number && value.TryGetDecimal(out _),
        };
        if (!typeOk)
        {
            var expected = parameter.Type switch { ToolParameterType.String => "a non-empty string", ToolParameterType.Integer => "an integer", _ => "a number" };
            return $"'{parameter.Name}' must be {expected}, got {value.GetRawText()}";
        }

        return parameter.Minimum is { } minimum && parameter.Type != ToolParameterType.String && value.GetDecimal() < minimum
            ? $"'{parameter.Name}' must be at least {minimum}, got {value.GetRawText()}"
            : null;
    }

    // The OpenAI adapter hands arguments over as JsonElement; other providers may use CLR values.
    private static JsonElement ToElement(object? value) => value is JsonElement element ? element : JsonSerializer.SerializeToElement(value);
}
