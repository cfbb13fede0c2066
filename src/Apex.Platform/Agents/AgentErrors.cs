using System.ClientModel;
using System.Net;
using System.Text.Json.Serialization;

namespace Apex.Platform.Agents;

[JsonConverter(typeof(JsonStringEnumConverter<ErrorClass>))]
public enum ErrorClass
{
    /// <summary>The same call may succeed later: a remote system was down, slow or rate limiting.</summary>
    Retryable,

    /// <summary>Repeating the call cannot help: bad input, missing data, a bug.</summary>
    Fatal,
}

/// <summary>
/// One error of an agent run, enriched with where it happened (run, tenant, step, agent, call)
/// so a person can find it. An aggregated error carries every cause that led the run to fail.
/// </summary>
public sealed record AgentError(
    Guid Id, Guid RunId, Guid TenantId, int? Step, string Agent, string? CallId, ErrorClass Class, string Route,
    string ErrorType, string Message, DateTimeOffset At, IReadOnlyList<AgentError> Causes);

/// <summary>Where an error was caught, as the supervisor knows it.</summary>
public sealed record ErrorSite(Guid RunId, Guid TenantId, int? Step, string Agent, string? CallId);

/// <summary>The error collector's judgement: can the failed call be tried again?</summary>
public static class ErrorClassifier
{
    public static ErrorClass Classify(Exception exception) => exception switch
    {
        HttpRequestException { StatusCode: null } => ErrorClass.Retryable,
        HttpRequestException { StatusCode: { } status } => IsTransient((int)status) ? ErrorClass.Retryable : ErrorClass.Fatal,
        ClientResultException { Status: var status } => status == 0 || IsTransient(status) ? ErrorClass.Retryable : ErrorClass.Fatal,
        TimeoutException or TaskCanceledException => ErrorClass.Retryable,
        AggregateException { InnerExceptions: var inner } when inner.Count > 0 && inner.All(e => Classify(e) == ErrorClass.Retryable) => ErrorClass.Retryable,
        _ => ErrorClass.Fatal,
    };

    private static bool IsTransient(int status) =>
        status is (int)HttpStatusCode.RequestTimeout or (int)HttpStatusCode.TooManyRequests || status >= 500;
}

/// <summary>
/// A destination for errors of one class. Every handler whose class matches receives the error;
/// the platform's own two record it, further ones (paging, a ticket system) can be added in DI.
/// </summary>
public interface IAgentErrorHandler
{
    string Route { get; }

    ErrorClass Handles { get; }

    Task HandleAsync(AgentError error, CancellationToken cancellationToken);
}

/// <summary>Transient failures: recorded for the retry report, logged as warnings, no one paged.</summary>
public sealed class RetryableErrorHandler(AgentErrorStore store, ILogger<RetryableErrorHandler> logger) : IAgentErrorHandler
{
    public string Route => "retry";

    public ErrorClass Handles => ErrorClass.Retryable;

    public Task HandleAsync(AgentError error, CancellationToken cancellationToken)
    {
        logger.LogWarning("Retryable error in run {RunId} at step {Step} ({Agent}): {Message}", error.RunId, error.Step, error.Agent, error.Message);
        return store.SaveAsync(error, cancellationToken);
    }
}

/// <summary>Failures that will not go away by themselves: recorded and logged as errors for people to act on.</summary>
public sealed class FatalErrorHandler(AgentErrorStore store, ILogger<FatalErrorHandler> logger) : IAgentErrorHandler
{
    public string Route => "fatal";

    public ErrorClass Handles => ErrorClass.Fatal;

    public Task HandleAsync(AgentError error, CancellationToken cancellationToken)
    {
        logger.LogError("Fatal error in run {RunId} at step {Step} ({Agent}): {Message}", error.RunId, error.Step, error.Agent, error.Message);
        return store.SaveAsync(error, cancellationToken);
    }
}

/// <summary>
/// Captures an exception as an enriched <see cref="AgentError"/>, classifies it and routes it to
/// the handlers of its class; at the end of a failed run, aggregates every error of the run into
/// one that names each sub-agent's cause.
/// </summary>
public sealed class AgentErrorPropagator(IEnumerable<IAgentErrorHandler> handlers, AgentErrorStore store, TimeProvider time)
{
    private readonly IReadOnlyList<IAgentErrorHandler> _handlers = [.. handlers];

    public Task<AgentError> CaptureAsync(ErrorSite site, Exception exception, CancellationToken cancellationToken) =>
        RouteAsync(site, ErrorClassifier.Classify(exception), exception.GetType().Name, exception.Message, [], cancellationToken);

    /// <summary>The run's failure as one error: <paramref name="terminal"/>, caused by every error captured before it.</summary>
    public async Task<AgentError> AggregateAsync(ErrorSite site, Exception terminal, CancellationToken cancellationToken)
    {
        var causes = (await store.ListAsync(site.TenantId, site.RunId, cancellationToken)).Where(e => e.Causes.Count == 0).ToList();
        var ownCause = await CaptureAsync(site, terminal, cancellationToken);
        causes.Add(ownCause);
        var message = $"Run {site.RunId} failed after {causes.Count} error(s): " +
            string.Join("; ", causes.Select(c => $"{c.Agent}{(c.Step is { } step ? $" at step {step}" : "")}: {c.Message}"));
        var errorClass = causes.All(c => c.Class == ErrorClass.Retryable) ? ErrorClass.Retryable : ErrorClass.Fatal;
        return await RouteAsync(site with { Agent = "supervisor", CallId = null }, errorClass, nameof(AggregateException), message, causes, cancellationToken);
    }

    private async Task<AgentError> RouteAsync(
        ErrorSite site, ErrorClass errorClass, string type, string message, IReadOnlyList<AgentError> causes, CancellationToken cancellationToken)
    {
        var targets = _handlers.Where(h => h.Handles == errorClass).ToList();
        var route = targets.Count == 0 ? "unrouted" : string.Join(",", targets.Select(h => h.Route));
        var error = new AgentError(Guid.NewGuid(), site.RunId, site.TenantId, site.Step, site.Agent, site.CallId, errorClass, route, type, message, time.GetUtcNow(), causes);
        foreach (var handler in targets) await handler.HandleAsync(error, cancellationToken);
        return error;
    }
}
