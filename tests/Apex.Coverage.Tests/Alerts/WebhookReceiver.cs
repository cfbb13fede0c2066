using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Apex.Coverage.Tests.Alerts;

/// <summary>One request a receiver got: its path, the headers that matter, its body.</summary>
public sealed record ReceivedHook(string Path, string? Signature, string? Event, string Body);

/// <summary>
/// A real HTTP server on a free loopback port that records what webhooks post to it; the first
/// <see cref="FailFirst"/> attempts of each delivery answer 503, so the sender has to retry.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, int> _seen = new();

    private WebhookReceiver(WebApplication app) => _app = app;

    public ConcurrentQueue<ReceivedHook> Received { get; } = new();

    public int FailFirst { get; set; }

    public string Url { get; private set; } = "";

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.MapPost("/{name}", receiver.ReceiveAsync);
        await app.StartAsync();
        receiver.Url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return receiver;
    }

    private async Task<IResult> ReceiveAsync(HttpContext context, string name)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync();
        var delivery = $"{name}#{context.Request.Headers["X-Apex-Delivery"]}";
        if (_seen.AddOrUpdate(delivery, 1, (_, n) => n + 1) <= FailFirst)
        {
            return Microsoft.AspNetCore.Http.Results.StatusCode(503);
        }

        Received.Enqueue(new ReceivedHook(name, context.Request.Headers["X-Apex-Signature-256"], context.Request.Headers["X-Apex-Event"], body));
        return Microsoft.AspNetCore.Http.Results.Ok();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
