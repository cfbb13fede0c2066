using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Apex.Platform.Resilience.Errors;

/// <summary>
/// Collects errors from the service it runs in — failures its components report and exceptions no
/// endpoint handled — into the shared groups. Collecting must never become the error itself: when
/// the store is unreachable the occurrence is logged and dropped.
/// </summary>
public sealed partial class ErrorCollector(ErrorGroupStore store, IOptions<ResilienceOptions> options, TimeProvider time, ILogger<ErrorCollector> logger)
{
    public Task CollectAsync(Exception exception, CancellationToken cancellationToken) =>
        CollectAsync(new ErrorReport(options.Value.ServiceName, exception.GetType().FullName ?? exception.GetType().Name,
            exception.Message, exception.TargetSite is { } site ? $"{site.DeclaringType?.FullName}.{site.Name}" : null), cancellationToken);

    public async Task CollectAsync(ErrorReport report, CancellationToken cancellationToken)
    {
        try
        {
            await store.AddAsync(report, time.GetUtcNow(), cancellationToken);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            LogDropped(logger, report.Kind, e.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Error occurrence of kind {Kind} dropped: the error store is unavailable ({Reason}).")]
    private static partial void LogDropped(ILogger logger, string kind, string reason);
}

/// <summary>Unhandled exceptions of any endpoint are collected, then answered as problem details as before.</summary>
internal sealed class ErrorCollectingExceptionHandler(ErrorCollector collector) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        await collector.CollectAsync(exception, CancellationToken.None);
        return false;
    }
}
