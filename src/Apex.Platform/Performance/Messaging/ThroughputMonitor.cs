namespace Apex.Platform.Performance.Messaging;

/// <summary>
/// Counts what a message pipeline did: accepted, delivered, refused when full, and how often a
/// producer had to wait. Depth is the deepest any queue got, so a test (or a dashboard) can see
/// that the bound held. Thread-safe; read while the pipeline runs.
/// </summary>
public sealed class ThroughputMonitor(TimeProvider time)
{
    private readonly long _started = time.GetTimestamp();
    private long _published;
    private long _delivered;
    private long _refused;
    private long _producerWaits;
    private long _maxDepth;

    public long Published => Interlocked.Read(ref _published);

    public long Delivered => Interlocked.Read(ref _delivered);

    /// <summary>Messages a producer was told "full" for (TryPublish returned false).</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>Times a producer found its queue full and was slowed until a consumer made room.</summary>
    public long ProducerWaits => Interlocked.Read(ref _producerWaits);

    public long MaxDepth => Interlocked.Read(ref _maxDepth);

    public double DeliveredPerSecond
    {
        get
        {
            var seconds = time.GetElapsedTime(_started).TotalSeconds;
            return seconds > 0 ? Delivered / seconds : 0;
        }
    }

    internal void OnPublished(long depth) => OnPublished(1, depth);

    internal void OnPublished(long count, long depth)
    {
        Interlocked.Add(ref _published, count);
        long seen;
        while (depth > (seen = Interlocked.Read(ref _maxDepth)) && Interlocked.CompareExchange(ref _maxDepth, depth, seen) != seen)
        {
        }
    }

    internal void OnDelivered() => Interlocked.Increment(ref _delivered);

    internal void OnRefused() => Interlocked.Increment(ref _refused);

    internal void OnProducerWait() => Interlocked.Increment(ref _producerWaits);
}
