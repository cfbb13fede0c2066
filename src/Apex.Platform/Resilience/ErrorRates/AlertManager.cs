using System.Net.Http.Json;
using Microsoft.Extensions.Options;

namespace Apex.Platform.Resilience.ErrorRates;

/// <summary>
/// Raises an alert when error-producing work starts being shed and resolves it when service
/// resumes — one alert per episode, however many requests are shed — by posting to the on-call
/// webhook. An alert that cannot be delivered is logged; it must not fail the request that caused it.
/// </summary>
public sealed partial class AlertManager(HttpClient http, IOptions<ErrorRateOptions> options, IOptions<ResilienceOptions> service,
    TimeProvider time, ILogger<AlertManager> logger)
{
    private int _raised;

    public int Raised => Volatile.Read(ref _raised);

    public Task RaiseAsync(string summary, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _raised);
        return PostAsync(new Alert("error-rate", "firing", service.Value.ServiceName, summary, time.GetUtcNow()), cancellationToken);
    }

    public Task ResolveAsync(string summary, CancellationToken cancellationToken) =>
        PostAsync(new Alert("error-rate", "resolved", service.Value.ServiceName, summary, time.GetUtcNow()), cancellationToken);

    private async Task PostAsync(Alert alert, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await http.PostAsJsonAsync(options.Value.AlertWebhook, alert, cancellationToken);
            response.EnsureSuccessStatusCode();
        }
        catch (HttpRequestException e)
        {
            LogUndelivered(logger, alert.Status, e.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Error-rate alert ({Status}) could not be delivered: {Reason}")]
    private static partial void LogUndelivered(ILogger logger, string status, string reason);
}

public sealed record Alert(string Kind, string Status, string Service, string Summary, DateTimeOffset At);
