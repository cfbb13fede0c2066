using Apex.Coverage.Web.Plan;

namespace Apex.Coverage.Web.Analytics;

/// <summary>
/// One signal for "the coverage may have changed": a result was recorded or a run ended (see
/// <see cref="RunSignal"/>), a quarantine changed, or a new plan was imported. Bursts (a result per test) are coalesced into one call per
/// <see cref="CoalesceWindow"/>, so a watching page recomputes a few times a second at most.
/// </summary>
public sealed class CoverageChanges : IDisposable
{
    public static readonly TimeSpan CoalesceWindow = TimeSpan.FromMilliseconds(400);

    private readonly Lock _gate = new();
    private readonly List<Action> _subscribers = [];
    private readonly List<IDisposable> _sources = [];
    private readonly TimeProvider _time;
    private ITimer? _pending;
    private long _version;

    public CoverageChanges(PlanCatalog catalog, TimeProvider time)
    {
        _time = time;
        _sources.Add(catalog.Subscribe(Notify));
    }

    /// <summary>How many changes have been signalled; it grows at once, before the coalesced notification.</summary>
    public long Version => Interlocked.Read(ref _version);

    public IDisposable Subscribe(Action onChanged)
    {
        lock (_gate)
        {
            _subscribers.Add(onChanged);
        }

        return new Subscription(this, onChanged);
    }

    /// <summary>Schedules one notification after the coalescing window unless one is already due.</summary>
    public void Notify()
    {
        Interlocked.Increment(ref _version);
        lock (_gate)
        {
            _pending ??= _time.CreateTimer(_ => Fire(), null, CoalesceWindow, Timeout.InfiniteTimeSpan);
        }
    }

    private void Fire()
    {
        Action[] subscribers;
        lock (_gate)
        {
            _pending?.Dispose();
            _pending = null;
            subscribers = [.. _subscribers];
        }

        foreach (var subscriber in subscribers)
        {
            subscriber();
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _pending?.Dispose();
            _pending = null;
        }

        _sources.ForEach(s => s.Dispose());
    }

    private sealed class Subscription(CoverageChanges changes, Action onChanged) : IDisposable
    {
        public void Dispose()
        {
            lock (changes._gate)
            {
                changes._subscribers.Remove(onChanged);
            }
        }
    }
}
