using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Apex.Integration.Fakes;

/// <summary>
/// The external model price catalog the pricing_lookup sub-agent calls: GET /prices/{model}.
/// It can be taken down (503) to make the sub-agent fail for real, and counts its requests.
/// </summary>
public sealed class FakePricingCatalog : FakeHttpServer
{
    private readonly ConcurrentDictionary<string, decimal> _prices = new(StringComparer.OrdinalIgnoreCase);
    private int _requests;

    public bool Down { get; set; }

    public int Requests => _requests;

    public static async Task<FakePricingCatalog> StartNewAsync()
    {
        var catalog = new FakePricingCatalog();
        await catalog.StartAsync();
        return catalog;
    }

    public void Reset(IReadOnlyDictionary<string, decimal> prices)
    {
        Down = false;
        _prices.Clear();
        foreach (var (model, price) in prices) _prices[model] = price;
        Interlocked.Exchange(ref _requests, 0);
    }

    protected override void Map(WebApplication app) => app.MapGet("/prices/{model}", (string model) =>
    {
        Interlocked.Increment(ref _requests);
        if (Down) return Results.Json(new { error = "maintenance" }, statusCode: 503);
        return _prices.TryGetValue(model, out var price)
            ? Results.Json(new { model, pricePer1kTokens = price })
            : Results.Json(new { error = $"unknown model {model}" }, statusCode: 404);
    });
}
