namespace Apex.Platform.Data.Retry;

/// <summary>
/// Exponential backoff with "equal jitter": the n-th wait is drawn from [cap/2, cap] where
/// cap = min(max, base × 2^(n−1)). Half fixed, so waits really grow; half random, so the
/// instances that lost the database at the same moment do not all come back at the same moment.
/// </summary>
public sealed record Backoff(TimeSpan Base, TimeSpan Max)
{
    public TimeSpan Cap(int attempt) => TimeSpan.FromTicks(Math.Min(Max.Ticks, Base.Ticks * (1L << Math.Min(attempt - 1, 30))));

    public TimeSpan Delay(int attempt, Random random)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(attempt, 1);
        var cap = Cap(attempt);
        return cap / 2 + TimeSpan.FromTicks((long)(random.NextDouble() * (cap.Ticks / 2)));
    }
}
