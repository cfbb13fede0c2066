namespace Apex.Platform.Performance.Pools;

/// <summary>
/// Pool size from Little's law: the mean number of requests in service L = λ·W (arrival rate times
/// time in service). The pool needs L slots on average; headroom covers bursts above the mean, and
/// the result is kept within [min, max].
/// </summary>
public static class LittlesLaw
{
    public static PoolSizing Size(double arrivalsPerSecond, TimeSpan serviceTime, double headroom, int min, int max)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(arrivalsPerSecond);
        ArgumentOutOfRangeException.ThrowIfNegative(headroom);
        ArgumentOutOfRangeException.ThrowIfLessThan(max, min);
        var concurrency = arrivalsPerSecond * serviceTime.TotalSeconds;
        var size = Math.Clamp((int)Math.Ceiling(concurrency * (1 + headroom)), min, max);
        return new PoolSizing(arrivalsPerSecond, serviceTime, concurrency, size);
    }
}

/// <summary>The measured inputs, the mean concurrency they imply, and the pool size chosen.</summary>
public sealed record PoolSizing(double ArrivalsPerSecond, TimeSpan ServiceTime, double MeanConcurrency, int Size);
