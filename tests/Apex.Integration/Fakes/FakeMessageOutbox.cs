using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Apex.Integration.Fakes;

/// <summary>One message as the external system received it.</summary>
public sealed record OutboxMessage(string To, string? Subject, string Text);

/// <summary>
/// An external messaging provider (email or SMS) at the boundary: POST /messages is stored in an
/// outbox the test reads. It can be told to fail, as a provider outage would.
/// </summary>
public abstract class FakeMessageOutbox(string? requiredApiKey) : FakeHttpServer
{
    private readonly ConcurrentQueue<OutboxMessage> _messages = new();

    public bool Failing { get; set; }

    public IReadOnlyList<OutboxMessage> Messages => [.. _messages];

    public IReadOnlyList<OutboxMessage> To(string recipient) => _messages.Where(m => m.To == recipient).ToList();

    protected override void Map(WebApplication app) => app.MapPost("/messages", async (HttpRequest request) =>
    {
        if (requiredApiKey is not null && request.Headers.Authorization.ToString() != $"Bearer {requiredApiKey}") return Results.StatusCode(401);
        if (Failing) return Results.StatusCode(503);
        var body = await request.ReadFromJsonAsync<Body>();
        if (body is not { To.Length: > 0, Text.Length: > 0 }) return Results.BadRequest();
        _messages.Enqueue(new OutboxMessage(body.To, body.Subject, body.Text));
        return Results.Accepted();
    });

    private sealed record Body(string To, string? Subject, string Text);
}

/// <summary>The email service: the platform sends password reset links through it.</summary>
public sealed class FakeEmailOutbox() : FakeMessageOutbox(null)
{
    public static async Task<FakeEmailOutbox> StartNewAsync()
    {
        var outbox = new FakeEmailOutbox();
        await outbox.StartAsync();
        return outbox;
    }
}

/// <summary>The SMS gateway: the platform sends second-factor codes through it, with its API key.</summary>
public sealed class FakeSmsGateway() : FakeMessageOutbox(ApiKey)
{
    public const string ApiKey = "fake-sms-api-key";

    public static async Task<FakeSmsGateway> StartNewAsync()
    {
        var gateway = new FakeSmsGateway();
        await gateway.StartAsync();
        return gateway;
    }
}
