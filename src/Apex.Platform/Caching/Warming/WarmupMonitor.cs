namespace Apex.Platform.Caching.Warming;

/// <summary>
/// The latest warm-up's progress and outcome, for the readiness check and for operators. Updated
/// by <see cref="CacheWarmer"/> as each entry is warmed, so a long warm-up is visible while it runs.
/// </summary>
public sealed class WarmupMonitor
{
    private readonly Lock _gate = new();
    private WarmupStatus _status = WarmupStatus.NotStarted;

    public WarmupStatus Current
    {
        get { lock (_gate) return _status; }
    }

    /// <summary>Raised after each entry and at the end of a run; handlers must be quick.</summary>
    public event Action<WarmupStatus>? Changed;

    internal void Update(Func<WarmupStatus, WarmupStatus> change)
    {
        WarmupStatus next;
        lock (_gate) next = _status = change(_status);
        Changed?.Invoke(next);
    }
}

public sealed record WarmupStatus(
    int Run, int Total, IReadOnlyList<string> Warmed, IReadOnlyList<NotWarmed> Failed, bool CriticalWarmed, bool Finished,
    DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt)
{
    public static WarmupStatus NotStarted { get; } = new(0, 0, [], [], false, false, null, null);

    /// <summary>Ready to take traffic: every critical entry is warm (low-priority ones may still be warming).</summary>
    public bool Ready => CriticalWarmed;
}

/// <summary>An entry a warm-up could not warm, and why.</summary>
public sealed record NotWarmed(string Key, string Reason);
