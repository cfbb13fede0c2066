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

    /// <summary>When set, every chat request is answered with this status (an outage, a rate limit) and no script step is used.</summary>
    public int? FailWith { get; set; }

    /// <summary>The Retry-After header sent with <see cref="FailWith"/>, e.g. "20".</summary>
    public string? RetryAfter { get; set; }

    /// <summary>Chat requests answered successfully, as the provider's own usage report counts them.</summary>
    public int Served => _usage.Values.Sum(u => u.Requests);

    private readonly ConcurrentDictionary<string, ProviderUsage> _usage = new(StringComparer.Ordinal);
    private int _aborted;

    /// <summary>Stalled requests that the caller gave up on (closed the connection).</summary>
    public int Aborted => Volatile.Read(ref _aborted);

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

    protected override void Map(WebApplication app)
    {
        app.MapPost("/v1/chat/completions", CompleteAsync);
        // What a health checker probes; down while the provider fails every request.
        app.MapGet("/v1/models", () => FailWith is { } status
            ? Results.Json(new { error = new { message = "unavailable" } }, statusCode: status)
            : Results.Json(new { data = new[] { new { id = Model, @object = "model" } } }));
        app.MapGet("/v1/usage", () => Results.Json(new { data = _usage.Select(pair => new { model = pair.Key, requests = pair.Value.Requests, prompt_tokens = pair.Value.Prompt, completion_tokens = pair.Value.Completion }) }));
    }

    private async Task<IResult> CompleteAsync(HttpRequest request)
    {
        if (request.Headers.Authorization != $"Bearer {ApiKey}")
        {
            return Results.Json(new { error = new { message = "Incorrect API key provided.", type = "invalid_request_error" } }, statusCode: 401);
        }

        var llmRequest = new LlmRequest((await JsonNode.ParseAsync(request.Body))!.AsObject());
        _requests.Enqueue(llmRequest);
        if (FailWith is { } failure)
        {
            if (RetryAfter is { } after) request.HttpContext.Response.Headers.RetryAfter = after;
            return Results.Json(new { error = new { message = $"The provider answers {failure}.", type = failure == 429 ? "rate_limit_exceeded" : "server_error" } }, statusCode: failure);
        }

        var reply = _script.TryDequeue(out var step) ? await step(llmRequest) : Fallback?.Invoke(llmRequest);
        if (reply is { Stall: true })
        {
            // No answer until the caller gives up and closes the connection.
            await Task.Delay(Timeout.Infinite, request.HttpContext.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
            Interlocked.Increment(ref _aborted);
            return Results.Empty;
        }

        return reply is null
            ? Results.Json(new { error = new { message = "The fake LLM has no scripted reply left.", type = "server_error" } }, statusCode: 500)
            : Answer(llmRequest, reply);
    }

    /// <summary>Counts the reply's tokens in the provider's usage report and sends it as a chat completion.</summary>
    private IResult Answer(LlmRequest llmRequest, LlmReply reply)
    {
        _usage.AddOrUpdate(llmRequest.Model, _ => new ProviderUsage(1, reply.PromptTokens, reply.CompletionTokens),
            (_, u) => new ProviderUsage(u.Requests + 1, u.Prompt + reply.PromptTokens, u.Completion + reply.CompletionTokens));
        return Results.Content(reply.ToCompletionJson(llmRequest.Model), "application/json");
    }

    private sealed record ProviderUsage(int Requests, long Prompt, long Completion);
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

    /// <summary>A request the provider never answers (the caller's timeout must end it).</summary>
    public static LlmReply Stalled() => new(null, []) { Stall = true };

    public bool Stall { get; init; }

    /// <summary>The usage the provider reports for this reply.</summary>
    public int PromptTokens { get; init; } = 10;

    public int CompletionTokens { get; init; } = 5;

    public string ToCompletionJson(string model) => new JsonObject
    {
        ["id"] = $"chatcmpl-{Guid.NewGuid():N}",
        ["object"] = "chat.completion",
        ["created"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
        ["model"] = model,
        ["choices"] = new JsonArray(new JsonObject
        {
            ["index"] = 0,
            ["message"] = Message(),
            ["finish_reason"] = ToolCalls.Count > 0 ? "tool_calls" : "stop",
        }),
        ["usage"] = new JsonObject { ["prompt_tokens"] = PromptTokens, ["completion_tokens"] = CompletionTokens, ["total_tokens"] = PromptTokens + CompletionTokens },
    }.ToJsonString();

    private JsonObject Message()
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

        return message;
    }
}
