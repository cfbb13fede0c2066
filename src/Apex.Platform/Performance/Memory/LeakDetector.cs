namespace Apex.Platform.Performance.Memory;

/// <summary>The verdict on a series of heap samples: growth per iteration (least-squares slope), how linear it is, and whether that is a leak.</summary>
public sealed record LeakReport(string Component, double BytesPerIteration, double RSquared, long GrowthBytes, bool IsLeak);

/// <summary>
/// A leak is steady growth: the least-squares slope of reachable bytes over iterations above a
/// threshold, with most of the variation explained by the line (R² high). Noise — a collection
/// that came earlier, a cache filling once — moves single samples but makes no steady slope.
/// </summary>
public sealed class LeakDetector(double bytesPerIterationThreshold, double minimumRSquared = 0.8)
{
    public LeakReport Analyze(string component, IReadOnlyList<(int Iteration, long Bytes)> samples)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(samples.Count, 3);
        var n = samples.Count;
        var meanX = samples.Average(s => (double)s.Iteration);
        var meanY = samples.Average(s => (double)s.Bytes);
        var sxy = samples.Sum(s => (s.Iteration - meanX) * (s.Bytes - meanY));
        var sxx = samples.Sum(s => Math.Pow(s.Iteration - meanX, 2));
        var syy = samples.Sum(s => Math.Pow(s.Bytes - meanY, 2));
        var slope = sxx == 0 ? 0 : sxy / sxx;
        var rSquared = sxx == 0 || syy == 0 ? 0 : sxy * sxy / (sxx * syy);
        var growth = samples[n - 1].Bytes - samples[0].Bytes;
        return new LeakReport(component, slope, rSquared, growth, slope > bytesPerIterationThreshold && rSquared >= minimumRSquared);
    }
}
