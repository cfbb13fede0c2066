using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;

namespace Apex.Platform.Agents;

/// <summary>
/// What a supervisor needs to carry on a run elsewhere: the goal, how many LLM rounds it has used
/// and the whole conversation, tool calls and results included, so nothing is asked or run twice.
/// </summary>
public sealed record AgentState(Guid RunId, string Goal, int Round, IReadOnlyList<ChatMessage> Messages)
{
    public const int CurrentVersion = 2;
}

/// <summary>A saved state this platform cannot read: written by a newer version, or damaged.</summary>
public sealed class AgentStateUnreadableException(string message) : Exception(message);

/// <summary>
/// The state serializer. Version 2 keeps the conversation as Microsoft.Extensions.AI messages
/// (tool calls with their ids). Version 1, written before tool calls were kept, held a plain
/// transcript of role and text; it is upgraded on load rather than refused, so runs saved by an
/// older platform can still be resumed.
/// </summary>
public static class AgentStateSerializer
{
    // jsonb stores keys in its own order, so the "$type" of a message's contents is not always first.
    private static readonly JsonSerializerOptions Options = new(AIJsonUtilities.DefaultOptions) { AllowOutOfOrderMetadataProperties = true };

    public static string Serialize(AgentState state) => new JsonObject
    {
        ["version"] = AgentState.CurrentVersion,
        ["goal"] = state.Goal,
        ["round"] = state.Round,
        ["messages"] = JsonSerializer.SerializeToNode(state.Messages, Options),
    }.ToJsonString();

    /// <summary>Reads a stored document of any known version; <c>Migrated</c> says it was older.</summary>
    public static (AgentState State, bool Migrated) Deserialize(Guid runId, string document, string instructions)
    {
        var root = Parse(document);
        var version = root["version"]?.GetValueKind() == JsonValueKind.Number ? root["version"]!.GetValue<int>() : 0;
        return version switch
        {
            1 => (UpgradeV1(runId, root, instructions), true),
            2 => (ReadV2(runId, root), false),
            > AgentState.CurrentVersion => throw new AgentStateUnreadableException(
                $"The saved state of run {runId} is version {version}, written by a newer platform; this one reads versions 1 to {AgentState.CurrentVersion}."),
            _ => throw new AgentStateUnreadableException($"The saved state of run {runId} has no valid version (got '{root["version"]?.ToJsonString()}')."),
        };
    }

    private static JsonObject Parse(string document)
    {
        try
        {
            return JsonNode.Parse(document) as JsonObject ?? throw new AgentStateUnreadableException("The saved state is not a JSON object.");
        }
        catch (JsonException exception)
        {
            throw new AgentStateUnreadableException($"The saved state is not valid JSON: {exception.Message}");
        }
    }

    private static AgentState ReadV2(Guid runId, JsonObject root)
    {
        try
        {
            var messages = root["messages"].Deserialize<List<ChatMessage>>(Options) ?? [];
            // Tool results are JSON text; read back they are JSON string elements, which the provider
            // adapter would quote a second time. Text they were, text they become again.
            foreach (var result in messages.SelectMany(m => m.Contents).OfType<FunctionResultContent>())
            {
                if (result.Result is JsonElement { ValueKind: JsonValueKind.String } text) result.Result = text.GetString();
            }

            return new AgentState(runId, Required(root, "goal").GetValue<string>(), Required(root, "round").GetValue<int>(), messages);
        }
        catch (Exception exception) when (exception is JsonException or InvalidOperationException or FormatException)
        {
            throw new AgentStateUnreadableException($"The saved state of run {runId} (version 2) is damaged: {exception.Message}");
        }
    }

    /// <summary>
    /// Version 1: <c>{"version":1,"goal","steps","transcript":[{"role","text","tool"?}]}</c>. Its tool
    /// entries have no call ids, and a provider refuses tool messages without the call they answer,
    /// so they come back as user-side notes naming the tool: the model still reads every result.
    /// </summary>
    private static AgentState UpgradeV1(Guid runId, JsonObject root, string instructions)
    {
        List<ChatMessage> messages = [new(ChatRole.System, instructions)];
        foreach (var entry in root["transcript"]?.AsArray() ?? [])
        {
            var role = entry?["role"]?.GetValue<string>();
            var text = entry?["text"]?.GetValue<string>() ?? string.Empty;
            messages.Add(role switch
            {
                "user" => new ChatMessage(ChatRole.User, text),
                "assistant" => new ChatMessage(ChatRole.Assistant, text),
                "tool" => new ChatMessage(ChatRole.User, $"[result of tool {entry?["tool"]?.GetValue<string>() ?? "unknown"}] {text}"),
                _ => throw new AgentStateUnreadableException($"The saved state of run {runId} (version 1) has a transcript entry with role '{role}'."),
            });
        }

        var goal = root["goal"]?.GetValue<string>() ?? throw new AgentStateUnreadableException($"The saved state of run {runId} (version 1) has no goal.");
        return new AgentState(runId, goal, root["steps"]?.GetValue<int>() ?? 0, messages);
    }

    private static JsonNode Required(JsonObject root, string name) =>
        root[name] ?? throw new InvalidOperationException($"'{name}' is missing");
}
