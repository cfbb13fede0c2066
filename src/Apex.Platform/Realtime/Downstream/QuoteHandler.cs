using System.Net.Http.Json;
using Apex.Platform.Realtime.Hub;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;

namespace Apex.Platform.Realtime.Downstream;

/// <summary>
/// "quote": asks the pricing service (over HTTP, Platform:Realtime:Downstream:BaseUrl) for a
/// symbol's price. Calls go through a Polly circuit breaker on the platform clock: when the
/// service keeps failing the breaker opens and clients get a "quote.fallback" frame at once,
/// without the call; after BreakDuration one probe is let through (half-open) and its outcome
/// closes or reopens the breaker. Every answer says the breaker's state.
/// </summary>
internal sealed class QuoteHandler : IHubHandler
{
    private readonly HttpClient _http;
    private readonly ResiliencePipeline<HttpResponseMessage> _breaker;
    private readonly CircuitBreakerStateProvider _state = new();

    public QuoteHandler(IHttpClientFactory clients, IOptions<HubOptions> options, TimeProvider time)
    {
        var settings = options.Value.Downstream;
        _http = clients.CreateClient(nameof(QuoteHandler));
        if (!string.IsNullOrWhiteSpace(settings.BaseUrl)) _http.BaseAddress = new Uri(settings.BaseUrl);
        _breaker = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = time }
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions<HttpResponseMessage>
            {
                FailureRatio = settings.FailureRatio,
                MinimumThroughput = settings.MinimumThroughput,
                SamplingDuration = settings.SamplingDuration,
                BreakDuration = settings.BreakDuration,
                StateProvider = _state,
                ShouldHandle = new PredicateBuilder<HttpResponseMessage>().Handle<HttpRequestException>().HandleResult(r => (int)r.StatusCode >= 500),
            })
            .Build();
    }

    public IReadOnlyCollection<string> Types { get; } = ["quote"];

    public CircuitState State => _state.CircuitState;

    public async Task HandleAsync(HubMessage message)
    {
        var symbol = message.Frame.DataAs<QuoteRequest>()?.Symbol;
        if (string.IsNullOrWhiteSpace(symbol) || _http.BaseAddress is null) throw new HubException("bad-quote", "Name a symbol; quotes need Platform:Realtime:Downstream:BaseUrl.");
        try
        {
            using var response = await _breaker.ExecuteAsync(ct => new ValueTask<HttpResponseMessage>(_http.GetAsync($"quotes/{Uri.EscapeDataString(symbol)}", ct)), message.Aborted);
            if (!response.IsSuccessStatusCode) { Fallback(message, "downstream-failed"); return; }
            var quote = await response.Content.ReadFromJsonAsync<Quote>(message.Aborted);
            message.Reply(HubFrame.Of("quote", new { symbol, quote!.Price, circuit = State.ToString() }, message.Frame.Id));
        }
        catch (BrokenCircuitException)
        {
            Fallback(message, "circuit-open");
        }
        catch (HttpRequestException)
        {
            Fallback(message, "downstream-failed");
        }
    }

    private void Fallback(HubMessage message, string reason) =>
        message.Reply(HubFrame.Of("quote.fallback", new { reason, circuit = State.ToString() }, message.Frame.Id));

    private sealed record QuoteRequest(string? Symbol);

    private sealed record Quote(decimal Price);
}
