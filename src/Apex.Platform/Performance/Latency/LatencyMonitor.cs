namespace Apex.Platform.Performance.Latency;

/// <summary>
/// The round-trip times to one dependency over a sliding window of recent calls: percentiles, and
/// whether latency is high (the median above the threshold, so one slow call does not flip it).
/// </summary>
public sealed class LatencyMonitor(TimeSpan highLatencyThreshold, int window = 50)
{
    private readonly Queue<TimeSpan> _samples = new();
    private readonly Lock _gate = new();

    public TimeSpan Threshold => highLatencyThreshold;

    public int Count
    {
        get { lock (_gate) return _samples.Count; }
    }

    public bool IsHigh => Count > 0 && Percentile(0.5) > highLatencyThreshold;

    public void Record(TimeSpan roundTrip)
    {
        lock (_gate)
        {
            _samples.Enqueue(roundTrip);
            if (_samples.Count > window) _samples.Dequeue();
        }
    }

    /// <summary>The nearest-rank percentile of the window (0 &lt; p ≤ 1); zero with no samples.</summary>
    public TimeSpan Percentile(double p)
    {
        lock (_gate)
        {
            if (_samples.Count == 0) return TimeSpan.Zero;
            var sorted = _samples.Order().ToList();
            return sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
        }
    }
}

/// <summary>
/// A timeout that follows the dependency: a multiple of the observed p99, never below the floor
/// (a healthy dependency) nor above the ceiling (a dead one). A fixed timeout tuned for a nearby
/// dependency fails every call to a distant one; this one stretches with the distance.
/// </summary>
public sealed class AdaptiveTimeout(LatencyMonitor monitor, TimeSpan floor, TimeSpan ceiling, double factor = 3)
{
    public TimeSpan Current
    {
        get
        {
            var observed = monitor.Percentile(0.99) * factor;
            return observed < floor ? floor : observed > ceiling ? ceiling : observed;
        }
    }
}
