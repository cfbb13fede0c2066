namespace Apex.Platform.Scheduling;

/// <summary>
/// Periodic work of a capability. A run is given the start of the slot it is for (the interval's
/// boundary that made it due), and must be safe to run again: a run cut short is run again whole.
/// </summary>
public interface IScheduledJob
{
    Task RunAsync(DateTimeOffset slot, CancellationToken cancellationToken);
}

/// <summary>A job as registered: due once per <see cref="Interval"/>, on boundaries counted from midnight UTC.</summary>
public sealed record ScheduledJob(string Name, TimeSpan Interval, Type JobType)
{
    /// <summary>The start of the slot <paramref name="now"/> falls in: the latest boundary at or before it.</summary>
    public DateTimeOffset Slot(DateTimeOffset now) => new(now.UtcTicks - now.UtcTicks % Interval.Ticks, TimeSpan.Zero);
}

/// <summary>What one instance did with one due job on one tick.</summary>
public enum JobOutcome
{
    /// <summary>Run here, to the end.</summary>
    Succeeded,

    /// <summary>Run here and threw; the slot stays due for the next tick.</summary>
    Failed,

    /// <summary>Another instance holds the job's lock: it is running there.</summary>
    Busy,

    /// <summary>The slot was done already (here or elsewhere).</summary>
    NotDue,
}

public sealed record JobAttempt(string Job, DateTimeOffset Slot, JobOutcome Outcome);
