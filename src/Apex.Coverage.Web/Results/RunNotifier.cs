namespace Apex.Coverage.Web.Results;

public enum RunUpdateKind
{
    /// <summary>The run's status, counts or message changed: read it again.</summary>
    Status,

    /// <summary>One result was recorded (<see cref="RunUpdate.Result"/>).</summary>
    Result,

    /// <summary>The tests now running, the expected total or the build log changed (see ActiveRuns).</summary>
    Progress,

    /// <summary>The run reached its end state (executed here, or stored from a CI upload): its results are all stored.</summary>
    Ended,
}

/// <summary>
/// What happened to a run. <paramref name="FromAnotherNode"/>: relayed from the node executing it
/// (no <paramref name="Result"/> then: read the run's new results from the store).
/// </summary>
public sealed record RunUpdate(long RunId, RunUpdateKind Kind, TestResult? Result = null, bool FromAnotherNode = false);

/// <summary>
/// Tells every watcher of a run (or of all runs) what happened, as it happens. Subscriptions are
/// disposable; a component calls back into its circuit through InvokeAsync and disposes on leave.
/// Subscribers are called on the recorder's thread and must not block it.
/// </summary>
public sealed class RunNotifier(ILogger<RunNotifier> logger)
{
    private readonly Lock _gate = new();
    private readonly List<(long? RunId, Action<RunUpdate> OnUpdate)> _subscribers = [];

    /// <summary>Calls <paramref name="onUpdate"/> for updates of <paramref name="runId"/>, or of every run when null.</summary>
    public IDisposable Subscribe(long? runId, Action<RunUpdate> onUpdate)
    {
        var entry = (runId, onUpdate);
        lock (_gate)
        {
            _subscribers.Add(entry);
        }

        return new Subscription(this, entry);
    }

    public void Publish(RunUpdate update)
    {
        (long? RunId, Action<RunUpdate> OnUpdate)[] subscribers;
        lock (_gate)
        {
            subscribers = [.. _subscribers.Where(s => s.RunId is null || s.RunId == update.RunId)];
        }

        foreach (var (_, onUpdate) in subscribers)
        {
            try
            {
                onUpdate(update);
            }
            catch (Exception error)
            {
                // One broken watcher must not stop the run from being recorded or others from hearing of it.
                logger.LogWarning(error, "A run {RunId} subscriber failed", update.RunId);
            }
        }
    }

    private sealed class Subscription(RunNotifier notifier, (long? RunId, Action<RunUpdate> OnUpdate) entry) : IDisposable
    {
        public void Dispose()
        {
            lock (notifier._gate)
            {
                notifier._subscribers.Remove(entry);
            }
        }
    }
}
