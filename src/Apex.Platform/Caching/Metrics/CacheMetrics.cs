using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Apex.Platform.Caching.Metrics;

/// <summary>
/// Hit, miss and latency of every cache read, per key pattern: published as OpenTelemetry-style
/// instruments on the "Apex.Platform.Caching" meter and kept per key for <see cref="HitRateAnalyzer"/>.
/// </summary>
public sealed class CacheMetrics : IDisposable
{
    public const string MeterName = "Apex.Platform.Caching";
    private const int LatencySamples = 1024;

    private readonly Meter _meter;
    private readonly Counter<long> _hits;
    private readonly Counter<long> _misses;
    private readonly Histogram<double> _latency;
    private readonly Counter<long> _corruptions;
    private readonly TimeProvider _time;

    public CacheMetrics(IMeterFactory meters, TimeProvider time)
    {
        _time = time;
        _meter = meters.Create(MeterName);
        _hits = _meter.CreateCounter<long>("apex.cache.hits", description: "Cache reads answered from the cache");
        _misses = _meter.CreateCounter<long>("apex.cache.misses", description: "Cache reads that went to the source");
        _latency = _meter.CreateHistogram<double>("apex.cache.read.duration", "ms", "Duration of a cache read");
        _corruptions = _meter.CreateCounter<long>("apex.cache.corruptions", description: "Cached values rejected as corrupt or foreign");
    }

    internal ConcurrentDictionary<string, KeyStats> Keys { get; } = new();

    internal ConcurrentDictionary<string, PatternStats> Patterns { get; } = new();

    internal TimeProvider Time => _time;

    public void RecordRead(string key, bool hit, TimeSpan latency)
    {
        var pattern = KeyPattern.Of(key);
        var tag = new KeyValuePair<string, object?>("pattern", pattern);
        (hit ? _hits : _misses).Add(1, tag);
        _latency.Record(latency.TotalMilliseconds, tag);
        Keys.GetOrAdd(key, _ => new KeyStats()).Read(hit, _time.GetUtcNow());
        Patterns.GetOrAdd(pattern, _ => new PatternStats()).Read(hit, latency.TotalMilliseconds);
    }

    /// <summary>An entry was stored; a key stored and never read afterwards is a "never hit" key.</summary>
    public void RecordStore(string key) => Keys.GetOrAdd(key, _ => new KeyStats()).Stored(_time.GetUtcNow());

    public void RecordCorruption(string key, string reason) =>
        _corruptions.Add(1, new KeyValuePair<string, object?>("pattern", KeyPattern.Of(key)), new KeyValuePair<string, object?>("reason", reason));

    public void Dispose() => _meter.Dispose();

    internal sealed class KeyStats
    {
        private readonly Lock _gate = new();
        private readonly List<TimeSpan> _intervals = [];
        private DateTimeOffset? _lastAccess;

        public long Hits { get; private set; }

        public long Misses { get; private set; }

        public long Stores { get; private set; }

        public DateTimeOffset? LastStored { get; private set; }

        public long HitsSinceStore { get; private set; }

        public void Read(bool hit, DateTimeOffset now)
        {
            lock (_gate)
            {
                if (hit) { Hits++; HitsSinceStore++; } else Misses++;
                if (_lastAccess is { } last && _intervals.Count < LatencySamples) _intervals.Add(now - last);
                _lastAccess = now;
            }
        }

        public void Stored(DateTimeOffset now)
        {
            lock (_gate)
            {
                Stores++;
                LastStored = now;
                HitsSinceStore = 0;
                _lastAccess ??= now;
            }
        }

        public List<TimeSpan> Intervals()
        {
            lock (_gate) return [.. _intervals];
        }
    }

    internal sealed class PatternStats
    {
        private readonly Lock _gate = new();
        private readonly Queue<double> _latencies = new();

        public long Hits { get; private set; }

        public long Misses { get; private set; }

        public void Read(bool hit, double milliseconds)
        {
            lock (_gate)
            {
                if (hit) Hits++; else Misses++;
                if (_latencies.Count == LatencySamples) _latencies.Dequeue();
                _latencies.Enqueue(milliseconds);
            }
        }

        public List<double> Latencies()
        {
            lock (_gate) return [.. _latencies];
        }
    }
}
