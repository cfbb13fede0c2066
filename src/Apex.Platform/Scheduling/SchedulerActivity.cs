using System.Collections.Concurrent;

namespace Apex.Platform.Scheduling;

/// <summary>
/// What this instance's scheduler has done, in memory: every attempt and the clock time of the
/// last completed tick. Operators read the durable record (scheduled_job_runs); this is for
/// watching one instance, as health checks and tests do.
/// </summary>
public sealed class SchedulerActivity
{
    private readonly ConcurrentQueue<JobAttempt> _attempts = new();
    private long _lastTickTicks = DateTimeOffset.MinValue.UtcTicks;

    public string InstanceName { get; internal set; } = string.Empty;

    public IReadOnlyList<JobAttempt> Attempts => [.. _attempts];

    /// <summary>When (on the platform clock) the last tick that completed had started.</summary>
    public DateTimeOffset LastTickStartedAt => new(Interlocked.Read(ref _lastTickTicks), TimeSpan.Zero);

    internal void Record(JobAttempt attempt) => _attempts.Enqueue(attempt);

    internal void TickCompleted(DateTimeOffset startedAt) => Interlocked.Exchange(ref _lastTickTicks, startedAt.UtcTicks);
}
