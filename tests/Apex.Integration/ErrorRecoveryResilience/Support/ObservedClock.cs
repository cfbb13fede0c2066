using Microsoft.Extensions.Time.Testing;

namespace Apex.Integration.ErrorRecoveryResilience.Support;

/// <summary>
/// The fake clock of a test that also counts the timers the platform creates on it. A component
/// that decides to wait (a retry's backoff, a deadline) reports the decision a moment before it
/// arms the timer; advancing the clock in between would be lost, so tests wait for the timer.
/// </summary>
public sealed class ObservedClock() : FakeTimeProvider(DateTimeOffset.UtcNow)
{
    private int _timers;

    public int TimersCreated => Volatile.Read(ref _timers);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        Interlocked.Increment(ref _timers);
        return timer;
    }
}
