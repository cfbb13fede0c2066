using System.Collections.Concurrent;
using System.Text;

namespace Apex.Coverage.Web.Runs;

public enum StopReason
{
    None,
    Canceled,
    TimedOut,
    Shutdown,
}

/// <summary>What a page shows of a run in progress that is not in the database yet.</summary>
public sealed record LiveProgress(int? Expected, TimeSpan? Estimate, DateTimeOffset? TestsStartedAt,
    IReadOnlyList<string> RunningTests, string BuildLog);

/// <summary>
/// One run executing in this process: how to stop it (the first reason wins: a cancel, the run
/// timeout, the dashboard stopping) and its live progress.
/// </summary>
public sealed class RunControl : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly StringBuilder _buildLog = new();
    private readonly ITimer _timeout;
    private readonly CancellationTokenRegistration _shutdown;
    private int _reason;
    private LiveProgress _progress = new(null, null, null, [], string.Empty);

    internal RunControl(long runId, TimeSpan timeout, TimeProvider time, CancellationToken shutdown, DateTimeOffset? requestedAt = null)
    {
        RunId = runId;
        Timeline = new RunTimeline(time, requestedAt ?? time.GetUtcNow());
        _timeout = time.CreateTimer(_ => Stop(StopReason.TimedOut), null, timeout, Timeout.InfiniteTimeSpan);
        _shutdown = shutdown.Register(() => Stop(StopReason.Shutdown));
    }

    public long RunId { get; }

    public RunTimeline Timeline { get; }

    public CancellationToken Token => _stop.Token;

    public StopReason Reason => (StopReason)Volatile.Read(ref _reason);

    public LiveProgress Progress => Volatile.Read(ref _progress);

    public bool Stop(StopReason reason)
    {
        if (Interlocked.CompareExchange(ref _reason, (int)reason, (int)StopReason.None) != (int)StopReason.None)
        {
            return false;
        }

        _stop.Cancel();
        return true;
    }

    internal void AppendBuildLine(string line)
    {
        lock (_buildLog)
        {
            _buildLog.AppendLine(line);
            Update(p => p with { BuildLog = _buildLog.ToString() });
        }
    }

    internal void Update(Func<LiveProgress, LiveProgress> change)
    {
        LiveProgress seen, next;
        do
        {
            seen = Progress;
            next = change(seen);
        }
        while (Interlocked.CompareExchange(ref _progress, next, seen) != seen);
    }

    public void Dispose()
    {
        _timeout.Dispose();
        _shutdown.Dispose();
        _stop.Dispose();
    }
}

/// <summary>The runs executing in this process, by id: where a cancel request and a page find them.</summary>
public sealed class ActiveRuns(TimeProvider time)
{
    private readonly ConcurrentDictionary<long, RunControl> _runs = new();

    public RunControl Start(long runId, TimeSpan timeout, CancellationToken shutdown, DateTimeOffset? requestedAt = null)
    {
        var control = new RunControl(runId, timeout, time, shutdown, requestedAt);
        _runs[runId] = control;
        return control;
    }

    public void End(RunControl control)
    {
        _runs.TryRemove(new KeyValuePair<long, RunControl>(control.RunId, control));
        control.Dispose();
    }

    public RunControl? Find(long runId) => _runs.GetValueOrDefault(runId);
}
