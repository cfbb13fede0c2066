using Apex.Integration.Infrastructure;
using Apex.Platform.Realtime.Hub;

namespace Apex.Integration.WebSocketRealtime;

/// <summary>
/// Plan item 24: "quote" frames depend on a pricing service over HTTP (a fake at the boundary).
/// When it fails, the Polly circuit breaker in front of it opens: clients get a fallback frame at
/// once and the service is not called; after the break duration (platform clock) one half-open
/// probe goes through; a failing probe reopens the breaker, a good one closes it and quotes flow.
/// </summary>
[PlanItem(24)]
[BusinessValue("All tiers", "A failing dependency does not take the real-time tier down",
    "Failure isolation worth $10K MRR cascade prevention", "Partial outages stay partial")]
public sealed class CircuitBreakerTests(CircuitBreakerTests.Host host) : IClassFixture<CircuitBreakerTests.Host>
{
    public sealed class Host(PostgresServer postgres, RedisServer redis) : RealtimeHost(postgres, redis)
    {
        public const int MinimumThroughput = 4;
        public static readonly TimeSpan Sampling = TimeSpan.FromSeconds(30);
        public static readonly TimeSpan BreakDuration = TimeSpan.FromSeconds(15);

        public FakeQuoteService Quotes { get; private set; } = null!;

        protected override string Owner => "item24";

        public override async ValueTask InitializeAsync()
        {
            Quotes = Own(await FakeQuoteService.StartNewAsync());
            await base.InitializeAsync();
        }

        protected override Task<Dictionary<string, string?>> SettingsAsync() => Task.FromResult(new Dictionary<string, string?>
        {
            ["Platform:Realtime:Downstream:BaseUrl"] = Quotes.BaseAddress.ToString(),
            ["Platform:Realtime:Downstream:MinimumThroughput"] = MinimumThroughput.ToString(),
            ["Platform:Realtime:Downstream:SamplingDuration"] = Sampling.ToString(),
            ["Platform:Realtime:Downstream:BreakDuration"] = BreakDuration.ToString(),
            ["Platform:Realtime:MessageBurst"] = "1000",
        });
    }

    [Fact]
    public async Task FailingDownstream_OpensTheBreaker_FallbackWithoutCalls_HalfOpenProbes_AndRecovery()
    {
        host.Quotes.Failing = false;
        host.Clock.Advance(Host.Sampling);
        await using var client = await HubClient.ConnectAsync(HubClient.Endpoint(host.A), host.TokenFor(RealtimeHost.NewUser()));
        host.Quotes.Failing = true;

        var failures = new List<HubFrame>();
        for (var i = 0; i < Host.MinimumThroughput; i++) failures.Add(await QuoteAsync(client));
        var hitsWhenOpened = host.Quotes.Hits;
        var whileOpen = await QuoteAsync(client);
        var hitsWhileOpen = host.Quotes.Hits;
        host.Clock.Advance(Host.BreakDuration);
        var failedProbe = await QuoteAsync(client);
        var reopened = await QuoteAsync(client);
        host.Quotes.Failing = false;
        host.Clock.Advance(Host.BreakDuration);
        var goodProbe = await QuoteAsync(client);
        var closed = await QuoteAsync(client);

        Assert.All(failures, f => Assert.Equal(("quote.fallback", "downstream-failed"), (f.Type, Reason(f))));
        Assert.Equal("Open", Circuit(failures[^1]));
        // Open: the fallback answers and the downstream service is not called.
        Assert.Equal(("quote.fallback", "circuit-open", hitsWhenOpened), (whileOpen.Type, Reason(whileOpen), hitsWhileOpen));
        Assert.Equal(("downstream-failed", "Open"), (Reason(failedProbe), Circuit(failedProbe)));
        Assert.Equal("circuit-open", Reason(reopened));
        AssertClosedAgain(goodProbe, closed);
    }

    /// <summary>A good probe closes the breaker and the next quote comes from the downstream service again.</summary>
    private static void AssertClosedAgain(HubFrame goodProbe, HubFrame closed)
    {
        Assert.Equal(("quote", "Closed"), (goodProbe.Type, Circuit(goodProbe)));
        Assert.Equal(101.25m, closed.Data!.Value.GetProperty("price").GetDecimal());
    }

    [Fact]
    public async Task HealthyDownstream_AnswersQuotes_WithTheBreakerClosed()
    {
        host.Quotes.Failing = false;
        host.Clock.Advance(Host.BreakDuration);
        await using var client = await HubClient.ConnectAsync(HubClient.Endpoint(host.A), host.TokenFor(RealtimeHost.NewUser()));

        var quote = await QuoteAsync(client);

        Assert.Equal(("quote", "Closed", 101.25m), (quote.Type, Circuit(quote), quote.Data!.Value.GetProperty("price").GetDecimal()));
    }

    private static async Task<HubFrame> QuoteAsync(HubClient client)
    {
        var id = Guid.NewGuid().ToString("N");
        await client.SendAsync("quote", new { symbol = "APX" }, id);
        while (true)
        {
            var frame = await client.NextAnyAsync();
            if (frame.Id == id) return frame;
        }
    }

    private static string? Reason(HubFrame frame) => frame.Data!.Value.TryGetProperty("reason", out var r) ? r.GetString() : null;

    private static string Circuit(HubFrame frame) => frame.Data!.Value.GetProperty("circuit").GetString()!;
}
