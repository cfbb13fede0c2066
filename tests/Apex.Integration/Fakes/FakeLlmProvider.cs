using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Apex.Integration.Fakes;

/// <summary>
/// An OpenAI-compatible LLM provider at the boundary: POST /v1/chat/completions, non-streaming,
/// answering from a script the test sets (each step may read the request, e.g. a tool result).
/// Every request is recorded, so a test can see what the platform sent the model.
/// </summary>
public sealed class FakeLlmProvider : FakeHttpServer
{
    public const string ApiKey = "fake-llm-key";
    public const string Model = "fake-gpt";

    private readonly ConcurrentQueue<Func<LlmRequest, Task<LlmReply>>> _script = new();
    private readonly ConcurrentQueue<LlmRequest> _requests = new();

    /// <summary>The reply when the script is used up; null answers 500, so an unexpected call shows.</summary>
    public Func<LlmRequest, LlmReply>? Fallback { get; set; }

    public IReadOnlyList<LlmRequest> Requests => [.. _requests];

    /// <summary>The provider's base URL as the OpenAI client wants it.</summary>
    public Uri Endpoint => new(BaseAddress, "v1");

    public static async Task<FakeLlmProvider> StartNewAsync()
    {
        var provider = new FakeLlmProvider();
        await provider.StartAsync();
        return provider;
    }

    public void Script(params Func<LlmRequest, LlmReply>[] steps) =>
        ScriptAsync([.. steps.Select(step => (Func<LlmRequest, Task<LlmReply>>)(request => Task.FromResult(step(request))))]);

    public void ScriptAsync(params Func<LlmRequest, Task<LlmReply>>[] steps)
    {
        _script.Clear();
        _requests.Clear();
        foreach (var step in steps) _script.Enqueue(step);
    }

    protected override void Map(WebApplication app) => app.MapPost("/v1/chat/completions", async (HttpRequest request) =>
    {
        if (request.Headers.Authorization != $"Bearer {ApiKey}")
        {
            return Results.Json(new { error = new { message = "Incorrect API key provided.", type = "invalid_request_error" } }, statusCode: 401);
        }

        var llmRequest = new LlmRequest((await JsonNode.ParseAsync(request.Body))!.AsObject());
        _requests.Enqueue(llmRequest);
        var reply = _script.TryDequeue(out var step) ? await step(llmRequest) : Fallback?.Invoke(llmRequest);
        return reply is null
            ? Results.Json(new { error = new { message = "The fake LLM has no scripted reply left.", type = "server_error" } }, statusCode: 500)
            : Results.Content(reply.ToCompletionJson(llmRequest.Model), "application/json");
    });
}

/// <summary>A chat completions request as the platform sent it.</summary>
public sealed record LlmRequest(JsonObject Body)
{
    public string Model => Body["model"]?.GetValue<string>() ?? string.Empty;

    public IReadOnlyList<string> ToolNames => [.. (Body["tools"]?.AsArray() ?? []).Select(tool => tool!["function"]!["name"]!.GetValue<string>())];

    public IReadOnlyList<JsonObject> Messages => [.. Body["messages"]!.AsArray().Select(message => message!.AsObject())];

    /// <summary>The text of the tool message answering <paramref name="callId"/>, or null if none.</summary>
    public string? ToolMessage(string callId) => Messages
        .Where(m => m["role"]?.GetValue<string>() == "tool" && m["tool_call_id"]?.GetValue<string>() == callId)
        .Select(m => m["content"] is JsonArray parts ? string.Concat(parts.Select(p => p!["text"]?.GetValue<string>())) : m["content"]?.GetValue<string>())
        .SingleOrDefault();

    /// <summary>The tool result for <paramref name="callId"/> parsed as the JSON object the platform sent.</summary>
    public JsonObject ToolResult(string callId) =>
        JsonNode.Parse(ToolMessage(callId) ?? throw new InvalidOperationException($"No tool result for {callId} in the request."))!.AsObject();
}

public sealed record LlmToolCall(string Id, string Name, string Arguments);

/// <summary>One assistant message: text, tool calls, or both (a plan with its first calls).</summary>
public sealed record LlmReply(string? Content, IReadOnlyList<LlmToolCall> ToolCalls)
{
    public static LlmReply Answer(string text) => new(text, []);

    public static LlmReply Calls(string? plan, params LlmToolCall[] calls) => new(plan, calls);

    public string ToCompletionJson(string model)
    {
        var message = new JsonObject { ["role"] = "assistant", ["content"] = Content };
        if (ToolCalls.Count > 0)
        {
            message["tool_calls"] = new JsonArray([.. ToolCalls.Select(call => (JsonNode)new JsonObject
            {
                ["id"] = call.Id,
                ["type"] = "function",
                ["function"] = new JsonObject { ["name"] = call.Name, ["arguments"] = call.Arguments },
            })]);
        }

        return new JsonObject
        {
            ["id"] = $"chatcmpl-{Guid.NewGuid():N}",
            ["object"] = "chat.completion",
            ["created"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            ["model"] = model,
            ["choices"] = new JsonArray(new JsonObject
            {
                ["index"] = 0,
                ["message"] = message,
                ["finish_reason"] = ToolCalls.Count > 0 ? "tool_calls" : "stop",
            }),
            ["usage"] = new JsonObject { ["prompt_tokens"] = 10, ["completion_tokens"] = 5, ["total_tokens"] = 15 },
        }.ToJsonString();
    }
}
