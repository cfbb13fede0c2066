namespace Apex.Platform.Performance.Pools;

/// <summary>
/// Measures a workload's arrival rate (requests per second over the observed window) and mean
/// service time (time a request held its slot), the two inputs of Little's law.
/// </summary>
public sealed class WorkloadMeter(TimeProvider time)
{
    private readonly Lock _gate = new();
    private long _firstArrival = -1;
    private long _lastCompletion;
    private long _arrivals;
    private long _completions;
    private double _serviceSecondsTotal;

    public void OnArrival()
    {
        var now = time.GetTimestamp();
        lock (_gate)
        {
            if (_firstArrival < 0) _firstArrival = now;
            _arrivals++;
        }
    }

    public void OnServed(TimeSpan service)
    {
        var now = time.GetTimestamp();
        lock (_gate)
        {
            _completions++;
            _serviceSecondsTotal += service.TotalSeconds;
            _lastCompletion = now;
        }
    }

    public long Arrivals
    {
        get { lock (_gate) return _arrivals; }
    }

    public double ArrivalsPerSecond
    {
        get
        {
            lock (_gate)
            {
                var window = _firstArrival < 0 ? 0 : time.GetElapsedTime(_firstArrival, _lastCompletion).TotalSeconds;
                return window > 0 ? _completions / window : 0;
            }
        }
    }

    public TimeSpan MeanServiceTime
    {
        get { lock (_gate) return _completions == 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(_serviceSecondsTotal / _completions); }
    }

    public PoolSizing Size(double headroom, int min, int max) => LittlesLaw.Size(ArrivalsPerSecond, MeanServiceTime, headroom, min, max);
}
