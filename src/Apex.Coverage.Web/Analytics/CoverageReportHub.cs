using Apex.Coverage.Web.Results;
using Apex.Coverage.Web.Telemetry;

namespace Apex.Coverage.Web.Analytics;

/// <summary>
/// The coverage report, computed once per change for the whole server: the API, the badge and
/// every open page read the same instance. <see cref="CoverageChanges"/> counts each change as it
/// happens (a result, a run's end, a quarantine, a plan import); a read whose report is older than
/// the count computes it again, and concurrent readers wait for that one computation. After each
/// coalesced burst of changes the hub computes the report itself and tells its subscribers, who
/// only read it — no page computes anything. A cheap fingerprint of the stored facts
/// (<see cref="CoverageService.WatermarkAsync"/>) is compared too, so a write that signalled
/// nothing here (another node on the shared store, a script) is never served stale.
/// </summary>
public sealed partial class CoverageReportHub : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly CoverageService _service;
    private readonly CoverageChanges _changes;
    private readonly DashboardTelemetry _telemetry;
    private readonly ILogger<CoverageReportHub> _logger;
    private readonly IDisposable _subscription;
    private readonly Notifier _notifier;
    private Computed? _latest;
    private int _watchers;

    public CoverageReportHub(CoverageService service, CoverageChanges changes, DashboardTelemetry telemetry, ILogger<CoverageReportHub> logger)
    {
        (_service, _changes, _telemetry, _logger) = (service, changes, telemetry, logger);
        _notifier = new Notifier(logger);
        _subscription = changes.Subscribe(() => _ = RecomputeAndPublishAsync());
    }

    public FlakinessRule Rule => _service.Rule;

    /// <summary>The report as of every change signalled so far, or null while no plan has been imported.</summary>
    public async Task<CoverageReport?> GetAsync(CancellationToken cancellationToken = default)
    {
        var wanted = _changes.Version;
        var watermark = await _service.WatermarkAsync(cancellationToken);
        if (Volatile.Read(ref _latest) is { } latest && latest.Version >= wanted && latest.Watermark == watermark)
        {
            return latest.Report;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_latest is { } computed && computed.Version >= wanted && computed.Watermark == watermark)
            {
                return computed.Report;
            }

            // Read the count and the watermark first: a change during the computation makes the next read compute again.
            var version = _changes.Version;
            watermark = await _service.WatermarkAsync(cancellationToken);
            var report = await _telemetry.MeasureReportAsync(() => _service.GetReportAsync(cancellationToken));
            Volatile.Write(ref _latest, new Computed(version, watermark, report));
            return report;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Calls <paramref name="onReport"/> after each recomputation; dispose to stop.</summary>
    public IDisposable Subscribe(Func<Task> onReport)
    {
        Interlocked.Increment(ref _watchers);
        return new Watch(this, _notifier.Subscribe(onReport));
    }

    private async Task RecomputeAndPublishAsync()
    {
        // With no page open nobody would read it: a reader computes it when it asks (the count says
        // it is stale). Computing it every 400 ms while a run records took CPU from the test host.
        if (Volatile.Read(ref _watchers) == 0)
        {
            return;
        }

        try
        {
            await GetAsync();
            await _notifier.PublishAsync();
        }
        catch (Exception error)
        {
            LogRecomputeFailed(error);
        }
    }

    public void Dispose()
    {
        _subscription.Dispose();
        _gate.Dispose();
    }

    private sealed class Watch(CoverageReportHub hub, IDisposable subscription) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                subscription.Dispose();
                Interlocked.Decrement(ref hub._watchers);
            }
        }
    }

    private sealed record Computed(long Version, string Watermark, CoverageReport? Report);

    [LoggerMessage(Level = LogLevel.Error, Message = "The coverage report could not be computed after a change")]
    private partial void LogRecomputeFailed(Exception error);
}
