using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Apex.Integration.Fakes;

/// <summary>
/// A transactional email provider at the boundary: POST /v1/messages with a template and its data.
/// It can be taken down (503), and keeps every message it accepted for the test to read.
/// </summary>
public sealed class FakeEmailProvider : FakeHttpServer
{
    public const string ApiKey = "fake-email-key";

    private readonly ConcurrentQueue<SentEmail> _sent = new();

    public bool Down { get; set; }

    public IReadOnlyList<SentEmail> Sent => [.. _sent];

    public static async Task<FakeEmailProvider> StartNewAsync()
    {
        var provider = new FakeEmailProvider();
        await provider.StartAsync();
        return provider;
    }

    public IReadOnlyList<SentEmail> To(string recipient) => [.. _sent.Where(m => m.To == recipient)];

    protected override void Map(WebApplication app) => app.MapPost("/v1/messages", async (HttpRequest request) =>
    {
        if (request.Headers.Authorization != $"Bearer {ApiKey}") return Results.Json(new { error = "unauthorized" }, statusCode: 401);
        if (Down) return Results.Json(new { error = "service unavailable" }, statusCode: 503);
        var body = (await JsonNode.ParseAsync(request.Body))!;
        _sent.Enqueue(new SentEmail(body["to"]!.GetValue<string>(), body["template"]!.GetValue<string>(), body["data"]!.AsObject()));
        return Results.Json(new { id = $"msg_{Guid.NewGuid():N}" }, statusCode: 202);
    });
}

public sealed record SentEmail(string To, string Template, JsonObject Data);
