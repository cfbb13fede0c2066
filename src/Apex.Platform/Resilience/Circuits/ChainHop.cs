using System.Net.Http.Json;
using Apex.Platform.Resilience.Errors;
using Microsoft.Extensions.Options;
using Polly.CircuitBreaker;

namespace Apex.Platform.Resilience.Circuits;

/// <summary>
/// One service of a call chain: it serves a request by calling its downstream through a circuit
/// breaker. Downstream healthy: the full answer. Its breaker open: a degraded answer at once, which
/// its own callers count as a success. Downstream failing: 503 naming the failure's origin, so the
/// callers above see a relayed failure and keep their breakers closed.
/// </summary>
public sealed class ChainHop(HttpClient http, IOptions<ChainOptions> options, IOptions<ResilienceOptions> service,
    CircuitRegistry circuits, ErrorCollector errors)
{
    private readonly ChainOptions _options = options.Value;
    private readonly string _service = service.Value.ServiceName;

    public static string CircuitName(string service, ChainOptions options) => $"{service}->{options.DownstreamName}";

    private string Circuit => CircuitName(_service, _options);

    public async Task<IResult> ServeAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var before = circuits.StateOf(Circuit);
        try
        {
            using var response = await http.GetAsync(_options.Path, cancellationToken);
            if (response.IsSuccessStatusCode) return TypedResults.Ok(await ServedAsync(response, before, cancellationToken));
            var relayed = response.Headers.TryGetValues(CascadeDetector.OriginHeader, out var origin);
            var said = await response.Content.ReadAsStringAsync(cancellationToken);
            return await FailedAsync(context, relayed ? origin!.First() : _options.DownstreamName, before,
                $"{_options.DownstreamName} answered {(int)response.StatusCode}: {said[..Math.Min(said.Length, 200)]}", relayed, cancellationToken);
        }
        catch (BrokenCircuitException)
        {
            return TypedResults.Ok(new ChainAnswer("degraded", [Report(before)], DegradedBy: _service));
        }
        catch (HttpRequestException e)
        {
            return await FailedAsync(context, _options.DownstreamName, before, e.Message, relayed: false, cancellationToken);
        }
    }

    private async Task<ChainAnswer> ServedAsync(HttpResponseMessage response, string before, CancellationToken cancellationToken)
    {
        if (!_options.DownstreamIsHop) return new ChainAnswer("full", [Report(before)]);
        var deeper = await response.Content.ReadFromJsonAsync<ChainAnswer>(cancellationToken)
            ?? throw new InvalidOperationException($"{_options.DownstreamName} answered an empty chain answer.");
        return deeper with { Hops = [.. deeper.Hops, Report(before)] };
    }

    private async Task<IResult> FailedAsync(HttpContext context, string origin, string before, string detail, bool relayed, CancellationToken cancellationToken)
    {
        // A relayed failure was collected where it happened; collecting it again here would count it twice.
        if (!relayed) await errors.CollectAsync(new ErrorReport(_service, "DependencyFailure", $"{origin} failed: {detail}", $"chain call to {_options.DownstreamName}"), cancellationToken);
        context.Response.Headers[CascadeDetector.OriginHeader] = origin;
        return TypedResults.Json(new ChainAnswer("failed", [Report(before)], FailureOrigin: origin), statusCode: StatusCodes.Status503ServiceUnavailable);
    }

    private HopReport Report(string before) => new(_service, before, circuits.StateOf(Circuit));
}

/// <summary>What a chain answers: its status, each hop's breaker before and after the call (deepest first).</summary>
public sealed record ChainAnswer(string Status, IReadOnlyList<HopReport> Hops, string? DegradedBy = null, string? FailureOrigin = null);

public sealed record HopReport(string Service, string CircuitBefore, string CircuitAfter);
