using System.Text.Json;
using System.Text.Json.Nodes;

namespace Apex.Platform.Agents;

/// <summary>
/// A multi-agent workflow: named nodes from <see cref="Start"/>. A node runs one agent (a tool of
/// the registry) and goes to <c>Next</c>; or runs agent nodes in <c>Parallel</c> and then goes to
/// <c>Next</c>; or routes on a <c>Condition</c> over earlier outputs to <c>Then</c> or <c>Else</c>.
/// An argument written "$input.x" or "$node.field" takes its value from the input or a node's output.
/// </summary>
public sealed record WorkflowDefinition(string? Start, IReadOnlyDictionary<string, WorkflowNode>? Nodes);

public sealed record WorkflowNode(
    string? Agent = null, IReadOnlyDictionary<string, JsonElement>? Arguments = null, IReadOnlyList<string>? Parallel = null,
    WorkflowCondition? Condition = null, string? Then = null, string? Else = null, string? Next = null);

/// <summary>True when the value at <c>Path</c> ("node.field") is <c>Is</c>, or is a number above <c>GreaterThan</c>.</summary>
public sealed record WorkflowCondition(string Path, JsonElement? Is = null, decimal? GreaterThan = null)
{
    public bool Holds(JsonObject values)
    {
        var value = WorkflowValues.At(values, Path);
        if (Is is { } expected) return value is not null && JsonNode.DeepEquals(value, JsonNode.Parse(expected.GetRawText()));
        return GreaterThan is { } limit && value is JsonValue number && number.TryGetValue<decimal>(out var actual) && actual > limit;
    }
}

/// <summary>Values a workflow can read: {"input": {...}, "node id": output, ...}.</summary>
public static class WorkflowValues
{
    public static JsonNode? At(JsonObject values, string path)
    {
        JsonNode? node = values;
        foreach (var part in path.Split('.')) node = node is JsonObject obj ? obj[part] : null;
        return node;
    }

    /// <summary>The agent's arguments with every "$path" replaced by the value it names.</summary>
    public static Dictionary<string, object?> Bind(IReadOnlyDictionary<string, JsonElement>? arguments, JsonObject values) =>
        (arguments ?? new Dictionary<string, JsonElement>()).ToDictionary(
            pair => pair.Key,
            pair => (object?)(pair.Value.ValueKind == JsonValueKind.String && pair.Value.GetString()!.StartsWith('$')
                ? JsonSerializer.SerializeToElement(At(values, pair.Value.GetString()![1..]))
                : pair.Value));
}

/// <summary>The checks a definition passes before a workflow starts: every node reachable, well-formed, acyclic.</summary>
public static class WorkflowRules
{
    public static List<string> Check(WorkflowDefinition definition, ToolRegistry tools)
    {
        var nodes = definition.Nodes ?? new Dictionary<string, WorkflowNode>();
        var problems = new List<string>();
        if (definition.Start is null || !nodes.ContainsKey(definition.Start)) problems.Add($"'start' must name a node, got '{definition.Start}'");
        foreach (var (id, node) in nodes) problems.AddRange(CheckNode(id, node, nodes, tools));
        if (problems.Count == 0 && HasCycle(definition.Start!, nodes, [])) problems.Add("the workflow has a cycle; every path must reach an end");
        return problems;
    }

    private static IEnumerable<string> CheckNode(string id, WorkflowNode node, IReadOnlyDictionary<string, WorkflowNode> nodes, ToolRegistry tools)
    {
        var kinds = (node.Agent is null ? 0 : 1) + (node.Parallel is null ? 0 : 1) + (node.Condition is null ? 0 : 1);
        if (kinds != 1) yield return $"node '{id}' must have exactly one of 'agent', 'parallel', 'condition'";
        if (node.Agent is { } agent && tools.Find(agent) is null) yield return $"node '{id}' names agent '{agent}', which is not loaded";
        if (node.Condition is not null && (node.Then is null || node.Else is null)) yield return $"condition node '{id}' needs 'then' and 'else'";
        if (node.Condition is { } condition && string.IsNullOrWhiteSpace(condition.Path)) yield return $"condition node '{id}' needs a 'path' such as \"node.field\"";
        foreach (var target in Targets(node).Where(target => !nodes.ContainsKey(target))) yield return $"node '{id}' leads to '{target}', which is not a node";
        foreach (var branch in node.Parallel ?? [])
        {
            if (nodes.TryGetValue(branch, out var b) && (b.Agent is null || b.Next is not null)) yield return $"parallel branch '{branch}' must be an agent node without 'next'";
        }

        foreach (var reference in (node.Arguments ?? new Dictionary<string, JsonElement>()).Values.Where(v => v.ValueKind == JsonValueKind.String)
            .Select(v => v.GetString()!).Where(v => v.StartsWith('$')).Select(v => v[1..].Split('.')[0]))
        {
            if (reference != "input" && !nodes.ContainsKey(reference)) yield return $"node '{id}' reads '${reference}', which is neither input nor a node";
        }
    }

    private static IEnumerable<string> Targets(WorkflowNode node) =>
        new[] { node.Next, node.Then, node.Else }.OfType<string>().Concat(node.Parallel ?? []);

    private static bool HasCycle(string id, IReadOnlyDictionary<string, WorkflowNode> nodes, HashSet<string> path) =>
        !path.Add(id) || Targets(nodes[id]).Any(next => HasCycle(next, nodes, [.. path]));
}
