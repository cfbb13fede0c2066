using Apex.Coverage.Web.Results;

namespace Apex.Coverage.Web.Analytics;

/// <summary>
/// Records a point of the protected-MRR trend when a run ends (executed here or uploaded by CI),
/// whether or not anyone has the overview open: the hub's report already counts the run's
/// results, and <see cref="CoverageTrend.RecordAsync"/> keeps one point per newest result.
/// Runs end one by one, so the points are written one at a time, in order.
/// </summary>
internal sealed partial class TrendRecorder(RunNotifier notifier, CoverageReportHub hub, CoverageTrend trend, ILogger<TrendRecorder> logger)
    : IHostedService
{
    private readonly SemaphoreSlim _order = new(1, 1);
    private IDisposable? _subscription;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _subscription = notifier.Subscribe(null, update =>
        {
            if (update.Kind == RunUpdateKind.Ended)
            {
                _ = RecordAsync(update.RunId);
            }
        });
        return Task.CompletedTask;
    }

    /// <summary>Records the current report's point; never throws (a failure is logged).</summary>
    public async Task RecordAsync(long runId)
    {
        await _order.WaitAsync();
        try
        {
            if (await hub.GetAsync() is { } report)
            {
                await trend.RecordAsync(report);
            }
        }
        catch (Exception error)
        {
            LogFailed(error, runId);
        }
        finally
        {
            _order.Release();
        }
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _subscription?.Dispose();
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The trend point after run {RunId} could not be recorded")]
    private partial void LogFailed(Exception error, long runId);
}
