using Apex.Integration.Fakes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Apex.Integration.WebSocketRealtime;

/// <summary>The pricing service the hub's "quote" frames depend on, over real HTTP; it fails with 503 while told to.</summary>
public sealed class FakeQuoteService : FakeHttpServer
{
    private int _hits;

    public bool Failing { get; set; }

    public int Hits => Volatile.Read(ref _hits);

    public static async Task<FakeQuoteService> StartNewAsync()
    {
        var service = new FakeQuoteService();
        await service.StartAsync();
        return service;
    }

    protected override void Map(WebApplication app) =>
        app.MapGet("/quotes/{symbol}", (string symbol) =>
        {
            Interlocked.Increment(ref _hits);
            return Failing ? Results.StatusCode(StatusCodes.Status503ServiceUnavailable) : Results.Ok(new { symbol, price = 101.25m });
        });
}
