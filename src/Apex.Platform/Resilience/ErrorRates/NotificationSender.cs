using System.Net.Http.Json;
using Apex.Platform.Resilience.Circuits;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;

namespace Apex.Platform.Resilience.ErrorRates;

/// <summary>
/// Error-producing work (notifications through an external provider) behind an error-rate detector:
/// a Polly circuit breaker over the failure ratio in a sliding window. Below the threshold every
/// request is served; at or above it, work is shed at once with 503 and Retry-After, an alert is
/// raised, and after the shed period one probe decides whether normal service resumes.
/// </summary>
public sealed class NotificationSender
{
    public const string Circuit = "notifications->provider";
    private readonly HttpClient _http;
    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;
    private readonly CircuitBreakerStateProvider _state;

    public NotificationSender(HttpClient http, IOptions<ErrorRateOptions> options, AlertManager alerts, CircuitRegistry circuits, TimeProvider time)
    {
        _http = http;
        var settings = options.Value;
        _state = circuits.Register(Circuit);
        _pipeline = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = time }.AddCircuitBreaker(new CircuitBreakerStrategyOptions<HttpResponseMessage>
        {
            ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is HttpRequestException || (int?)args.Outcome.Result?.StatusCode >= 500),
            FailureRatio = settings.Threshold,
            MinimumThroughput = settings.MinimumCalls,
            SamplingDuration = settings.Window,
            BreakDuration = settings.ShedFor,
            StateProvider = _state,
            OnOpened = async args =>
            {
                circuits.Record(Circuit, CircuitState.Open);
                await alerts.RaiseAsync($"Notification errors reached {settings.Threshold:P0} of calls; sending is shed for {settings.ShedFor.TotalSeconds:0} s.", CancellationToken.None);
            },
            OnClosed = async args =>
            {
                circuits.Record(Circuit, CircuitState.Closed);
                await alerts.ResolveAsync("Notification provider answers again; sending resumed.", CancellationToken.None);
            },
            OnHalfOpened = _ =>
            {
                circuits.Record(Circuit, CircuitState.HalfOpen);
                return ValueTask.CompletedTask;
            },
        }).Build();
    }

    public async Task<IResult> SendAsync(NotificationRequest notification, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await _pipeline.ExecuteAsync(async ct => await _http.PostAsJsonAsync("messages", notification, ct), cancellationToken);
            return response.IsSuccessStatusCode
                ? TypedResults.Accepted((string?)null, new SendResult("sent"))
                : TypedResults.Json(new SendResult($"provider answered {(int)response.StatusCode}"), statusCode: StatusCodes.Status502BadGateway);
        }
        catch (BrokenCircuitException e)
        {
            var retryAfter = e.RetryAfter ?? TimeSpan.FromSeconds(1);
            return new SheddingResult(retryAfter);
        }
        catch (HttpRequestException e)
        {
            return TypedResults.Json(new SendResult($"provider unreachable: {e.Message}"), statusCode: StatusCodes.Status502BadGateway);
        }
    }

    public string State => CircuitRegistry.Name(_state.CircuitState);

    private sealed class SheddingResult(TimeSpan retryAfter) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return TypedResults.Problem("Notification errors are above the threshold: sending is shed until the provider recovers.",
                statusCode: StatusCodes.Status503ServiceUnavailable, title: "Shed").ExecuteAsync(httpContext);
        }
    }
}

public sealed record NotificationRequest(string To, string Text);

public sealed record SendResult(string Status);
