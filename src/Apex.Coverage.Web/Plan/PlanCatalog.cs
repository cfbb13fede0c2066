namespace Apex.Coverage.Web.Plan;

/// <summary>The catalog the dashboard shows: the latest good import, with its findings.</summary>
public sealed record PlanSnapshot(
    int Version, PlanDocument Document, IReadOnlyList<PlanFinding> Findings, DateTimeOffset ImportedAt, string Source);

public enum PlanImportOutcome
{
    Created,
    Unchanged,
    Rejected,
}

public sealed record PlanImportResult(
    PlanImportOutcome Outcome,
    int? Version,
    IReadOnlyList<PlanFinding> Findings,
    IReadOnlyList<PlanChangeEntry> Changes,
    DateTimeOffset At,
    string Source);

/// <summary>
/// Holds the current catalog in memory for every page and request, and tells subscribers when it
/// or the outcome of an import changes. Only the importer publishes; a rejected import is recorded
/// as the last attempt and leaves <see cref="Current"/> as it was.
/// </summary>
public sealed class PlanCatalog
{
    private readonly Lock _gate = new();
    private readonly List<Action> _subscribers = [];
    private PlanSnapshot? _current;
    private PlanImportResult? _lastAttempt;

    public PlanSnapshot? Current => Volatile.Read(ref _current);

    public PlanImportResult? LastAttempt => Volatile.Read(ref _lastAttempt);

    /// <summary>The last attempt when it was rejected and came after the catalog shown.</summary>
    public PlanImportResult? PendingRejection =>
        LastAttempt is { Outcome: PlanImportOutcome.Rejected } attempt
        && (Current is null || attempt.At >= Current.ImportedAt)
            ? attempt
            : null;

    /// <summary>Calls <paramref name="onChanged"/> after each publish until the subscription is disposed.</summary>
    public IDisposable Subscribe(Action onChanged)
    {
        lock (_gate)
        {
            _subscribers.Add(onChanged);
        }

        return new Subscription(this, onChanged);
    }

    internal void Publish(PlanSnapshot snapshot, PlanImportResult? attempt)
    {
        Volatile.Write(ref _current, snapshot);
        if (attempt is not null)
        {
            Volatile.Write(ref _lastAttempt, attempt);
        }

        Notify();
    }

    internal void Reject(PlanImportResult attempt)
    {
        Volatile.Write(ref _lastAttempt, attempt);
        Notify();
    }

    private void Notify()
    {
        Action[] subscribers;
        lock (_gate)
        {
            subscribers = [.. _subscribers];
        }

        foreach (var subscriber in subscribers)
        {
            subscriber();
        }
    }

    private sealed class Subscription(PlanCatalog catalog, Action onChanged) : IDisposable
    {
        public void Dispose()
        {
            lock (catalog._gate)
            {
                catalog._subscribers.Remove(onChanged);
            }
        }
    }
}
