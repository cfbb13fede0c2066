namespace Apex.Platform.Caching.Metrics;

/// <summary>
/// Turns what <see cref="CacheMetrics"/> measured into advice: the hit rate and latency of each key
/// pattern, the hot keys, the keys stored but never read, and a TTL per pattern derived from how
/// soon its keys are read again. Pure over the measurements; nothing here touches Redis.
/// </summary>
public sealed class HitRateAnalyzer(CacheMetrics metrics)
{
    /// <summary>The share of re-reads a recommended TTL must cover.</summary>
    public const double TtlCoverage = 0.9;

    public HitRateReport Analyze(int hotKeyCount = 5)
    {
        var patterns = metrics.Patterns
            .Select(p => new PatternReport(p.Key, p.Value.Hits, p.Value.Misses, HitRate(p.Value.Hits, p.Value.Misses),
                Percentile(p.Value.Latencies(), 0.5), Percentile(p.Value.Latencies(), 0.99), RecommendTtl(p.Key)))
            .OrderBy(p => p.Pattern, StringComparer.Ordinal)
            .ToList();
        var totalHits = Math.Max(1, metrics.Keys.Values.Sum(k => k.Hits));
        var hot = metrics.Keys.Where(k => k.Value.Hits > 0).OrderByDescending(k => k.Value.Hits).ThenBy(k => k.Key, StringComparer.Ordinal)
            .Take(hotKeyCount).Select(k => new HotKey(k.Key, k.Value.Hits, (double)k.Value.Hits / totalHits)).ToList();
        var neverHit = metrics.Keys.Where(k => k.Value.Stores > 0 && k.Value.HitsSinceStore == 0)
            .Select(k => k.Key).Order(StringComparer.Ordinal).ToList();
        return new HitRateReport(patterns, hot, neverHit);
    }

    /// <summary>
    /// The interval within which <see cref="TtlCoverage"/> of the pattern's re-reads happened: a
    /// longer TTL keeps memory for reads that do not come, a shorter one turns re-reads into misses.
    /// Null when no key of the pattern was read twice (nothing to base a TTL on: do not cache it).
    /// </summary>
    private TimeSpan? RecommendTtl(string pattern)
    {
        var intervals = metrics.Keys.Where(k => KeyPattern.Of(k.Key) == pattern).SelectMany(k => k.Value.Intervals())
            .Where(i => i > TimeSpan.Zero).Select(i => i.TotalSeconds).ToList();
        if (intervals.Count == 0) return null;
        return TimeSpan.FromSeconds(Math.Ceiling(Percentile(intervals, TtlCoverage)));
    }

    private static double HitRate(long hits, long misses) => hits + misses == 0 ? 0 : (double)hits / (hits + misses);

    private static double Percentile(List<double> values, double quantile)
    {
        if (values.Count == 0) return 0;
        values.Sort();
        return values[(int)Math.Clamp(Math.Ceiling(quantile * values.Count) - 1, 0, values.Count - 1)];
    }
}

public sealed record HitRateReport(IReadOnlyList<PatternReport> Patterns, IReadOnlyList<HotKey> HotKeys, IReadOnlyList<string> NeverHitKeys);

public sealed record PatternReport(string Pattern, long Hits, long Misses, double HitRate, double P50Milliseconds, double P99Milliseconds, TimeSpan? RecommendedTtl);

public sealed record HotKey(string Key, long Hits, double ShareOfHits);
