using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;

namespace Apex.Platform.Agents;

/// <summary>
/// Routes the LLM's tool calls to sub-agents. Everything that can go wrong with a call, from a
/// tool the model made up to an exception inside the sub-agent, comes back as a result the
/// supervisor hands to the model, never as an exception that would end the run unseen.
/// </summary>
public sealed class ToolDispatcher(ToolRegistry registry, ILogger<ToolDispatcher> logger)
{
    /// <summary>
    /// The tools as the LLM sees them, each in its selected version: declarations only, so nothing
    /// runs without the dispatcher.
    /// </summary>
    public IList<AITool> Declarations() =>
        [.. registry.Active.Select(tool => AIFunctionFactory.CreateDeclaration(tool.Name, tool.Agent.Description, Schema(tool.Agent)))];

    public async Task<ToolOutcome> DispatchAsync(FunctionCallContent call, CancellationToken cancellationToken)
    {
        if (registry.Find(call.Name)?.Agent is not { } agent)
        {
            return ToolOutcome.Refused($"Unknown tool '{call.Name}'. Available tools: {string.Join(", ", registry.Active.Select(t => t.Name))}.");
        }

        if (call.Exception is not null)
        {
            return ToolOutcome.Refused($"The arguments for '{call.Name}' are not valid JSON: {call.Exception.Message}");
        }

        var (arguments, problems) = ToolArgumentValidator.Validate(agent.Parameters, call.Arguments);
        if (problems.Count > 0)
        {
            return ToolOutcome.Refused($"Invalid arguments for '{call.Name}': {string.Join("; ", problems)}.");
        }

        return await RunAsync(agent, arguments!, cancellationToken);
    }

    private async Task<ToolOutcome> RunAsync(ISubAgent agent, ToolArguments arguments, CancellationToken cancellationToken)
    {
        try
        {
            return ToolOutcome.Succeeded(await agent.RunAsync(arguments, cancellationToken));
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The model decides what to do about a failed specialist (retry, fall back, report), so
            // it gets the reason; the log keeps the stack trace for people.
            logger.LogWarning(exception, "Sub-agent {Agent} failed with {Arguments}", agent.Name, arguments);
            return ToolOutcome.Failed($"Sub-agent '{agent.Name}' failed: {exception.Message}", exception);
        }
    }

    private static JsonElement Schema(ISubAgent agent)
    {
        var properties = new JsonObject();
        foreach (var parameter in agent.Parameters)
        {
            var property = new JsonObject { ["type"] = parameter.Type.ToString().ToLowerInvariant(), ["description"] = parameter.Description };
            if (parameter.Minimum is { } minimum) property["minimum"] = minimum;
            properties[parameter.Name] = property;
        }

        var required = new JsonArray([.. agent.Parameters.Select(p => JsonValue.Create(p.Name))]);
        var schema = new JsonObject { ["type"] = "object", ["properties"] = properties, ["required"] = required, ["additionalProperties"] = false };
        return JsonSerializer.SerializeToElement(schema);
    }
}

public enum ToolStatus
{
    Succeeded,
    Refused,
    Failed,
}

/// <summary>What a tool call came to, as the LLM reads it back; a failure keeps its exception for the error report.</summary>
public sealed record ToolOutcome(ToolStatus Status, string Content)
{
    public Exception? Exception { get; init; }

    public static ToolOutcome Succeeded(string resultJson) => new(ToolStatus.Succeeded, resultJson);

    public static ToolOutcome Refused(string error) => new(ToolStatus.Refused, ErrorJson("refused", error));

    /// <summary>A failed call; the model is told whether trying it again could help.</summary>
    public static ToolOutcome Failed(string error, Exception exception) => new(ToolStatus.Failed, ErrorJson("failed", error,
        ErrorClassifier.Classify(exception) == ErrorClass.Retryable)) { Exception = exception };

    // Relaxed escaping keeps quotes in the message readable for the model and in the stored steps.
    private static readonly JsonSerializerOptions Readable = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static string ErrorJson(string status, string error, bool? retryable = null)
    {
        var json = new JsonObject { ["status"] = status, ["error"] = error };
        if (retryable is { } value) json["retryable"] = value;
        return json.ToJsonString(Readable);
    }
}
