using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.Options;
using Polly;
using Polly.RateLimiting;

namespace Apex.Platform.Resilience.Deadlines;

/// <summary>
/// One hop's deadline-aware work: refuse what cannot finish in the time left, pass the rest of the
/// budget on (minus a reserve to answer), stop waiting when the deadline passes, and call each
/// dependency through its own bulkhead so one slow dependency cannot take every request's thread.
/// </summary>
public sealed class DeadlineWork(HttpClient http, IOptions<DeadlineOptions> options, IOptions<ResilienceOptions> service,
    DependencyBulkheads bulkheads, TimeProvider time)
{
    private readonly DeadlineOptions _options = options.Value;
    private readonly string _service = service.Value.ServiceName;

    public async Task<IResult> ServeAsync(HttpRequest request, string dependency, CancellationToken aborted)
    {
        var deadline = RequestDeadline.For(request, _options.DefaultBudget, time);
        if (_options.Dependencies.FirstOrDefault(d => d.Name == dependency) is not { } target)
        {
            return TypedResults.Problem($"{_service} has no dependency '{dependency}'.", statusCode: StatusCodes.Status404NotFound);
        }

        if (deadline.Remaining < _options.WorkCost)
        {
            return Answer(StatusCodes.Status504GatewayTimeout, new DeadlineAnswer("refused", _service, dependency, Ms(deadline.Remaining),
                $"{_service} needs {Ms(_options.WorkCost)} ms and has {Ms(deadline.Remaining)} ms left: refused without starting."));
        }

        using var timeout = deadline.CancelAtDeadline(aborted);
        try
        {
            return await bulkheads.For(dependency).ExecuteAsync(async ct => await CallAsync(target, deadline, ct), timeout.Token);
        }
        catch (RateLimiterRejectedException)
        {
            return Answer(StatusCodes.Status503ServiceUnavailable, new DeadlineAnswer("rejected", _service, dependency, Ms(deadline.Remaining),
                $"The bulkhead for {dependency} is full: rejected at once instead of queueing behind a slow dependency."));
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !aborted.IsCancellationRequested)
        {
            return Answer(StatusCodes.Status504GatewayTimeout, new DeadlineAnswer("timed-out", _service, dependency, 0,
                $"The deadline passed while {_service} waited for {dependency}."));
        }
    }

    private async Task<IResult> CallAsync(DeadlineDependency target, RequestDeadline deadline, CancellationToken cancellationToken)
    {
        using var call = new HttpRequestMessage(HttpMethod.Get, new Uri(new Uri(target.Url), target.Path));
        var passOn = deadline.Remaining - _options.ReserveForReply;
        call.Headers.Add(RequestDeadline.Header, Ms(passOn > TimeSpan.Zero ? passOn : TimeSpan.Zero).ToString(CultureInfo.InvariantCulture));
        using var response = await http.SendAsync(call, cancellationToken);
        if (response.IsSuccessStatusCode) return Answer(StatusCodes.Status200OK, new DeadlineAnswer("done", _service, target.Name, Ms(deadline.Remaining), null));
        if (response.Content.Headers.ContentType?.MediaType == "application/json" && response.StatusCode is HttpStatusCode.GatewayTimeout or HttpStatusCode.ServiceUnavailable)
        {
            // A deeper hop refused or timed out: its answer says who and why; relay it unchanged.
            var deeper = await response.Content.ReadFromJsonAsync<DeadlineAnswer>(cancellationToken);
            if (deeper is not null) return Answer((int)response.StatusCode, deeper);
        }

        return Answer(StatusCodes.Status502BadGateway, new DeadlineAnswer("failed", _service, target.Name, Ms(deadline.Remaining), $"{target.Name} answered {(int)response.StatusCode}."));
    }

    private static IResult Answer(int status, DeadlineAnswer answer) => TypedResults.Json(answer, statusCode: status);

    private static long Ms(TimeSpan span) => (long)span.TotalMilliseconds;
}

/// <summary>How a hop's work ended — done, refused (not started), timed-out, rejected (bulkhead full), failed — and by whom.</summary>
public sealed record DeadlineAnswer(string Status, string By, string Dependency, long RemainingMs, string? Detail);

/// <summary>The isolation handler: one Polly concurrency limiter per dependency.</summary>
public sealed class DependencyBulkheads(IOptions<DeadlineOptions> options, TimeProvider time)
{
    private readonly Dictionary<string, ResiliencePipeline> _pipelines = options.Value.Dependencies.ToDictionary(
        d => d.Name,
        _ => new ResiliencePipelineBuilder { TimeProvider = time }.AddConcurrencyLimiter(options.Value.BulkheadPermits, options.Value.BulkheadQueue).Build(),
        StringComparer.Ordinal);

    public ResiliencePipeline For(string dependency) => _pipelines[dependency];
}
