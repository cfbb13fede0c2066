using System.Collections.Concurrent;
using System.Text.Json;
using Apex.Integration.Fakes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Apex.Integration.ErrorRecoveryResilience.Support;

/// <summary>The on-call paging service at the boundary: keeps every alert posted to it.</summary>
public sealed class FakePager : FakeHttpServer
{
    private readonly ConcurrentQueue<JsonElement> _alerts = new();

    public IReadOnlyList<JsonElement> Alerts => [.. _alerts];

    public Uri Webhook => new(BaseAddress, "alerts");

    public static async Task<FakePager> StartNewAsync()
    {
        var pager = new FakePager();
        await pager.StartAsync();
        return pager;
    }

    protected override void Map(WebApplication app) => app.MapPost("/alerts", async (HttpRequest request) =>
    {
        _alerts.Enqueue(await JsonSerializer.DeserializeAsync<JsonElement>(request.Body));
        return Results.Accepted();
    });
}
