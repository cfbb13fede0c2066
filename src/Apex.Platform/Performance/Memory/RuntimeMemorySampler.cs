namespace Apex.Platform.Performance.Memory;

/// <summary>
/// Reads the managed heap as the runtime reports it after a full, compacting collection: the
/// generation sizes of <see cref="GC.GetGCMemoryInfo(GCKind)"/> for the last full blocking GC —
/// the figures the "System.Runtime" meter's <c>dotnet.gc.last_collection.heap.size</c> publishes.
/// The meter reports the last collection of any kind, and in a busy process (a whole test run,
/// a live platform) an ephemeral GC on another thread often lands between the forced collection
/// and the read; asking for the full blocking one measures what is still reachable, the quantity
/// a leak grows.
/// </summary>
public sealed class RuntimeMemorySampler : IDisposable
{
    private readonly Lock _sampling = new();

    private const long SettledWithinBytes = 64 * 1024;
    private const int MaxCollections = 12;

    /// <summary>
    /// Reachable managed bytes now, as the runtime reports them after a full collection — once two
    /// collections in a row agree within 64 KiB (at most 12 collections), so memory that other
    /// threads were still letting go of (a host shutting down, finalizers) is not read as a change.
    /// </summary>
    public long SampleReachableBytes()
    {
        lock (_sampling)
        {
            var previous = CollectAndRead();
            for (var i = 1; i < MaxCollections; i++)
            {
                var current = CollectAndRead();
                if (Math.Abs(current - previous) <= SettledWithinBytes) return current;
                previous = current;
            }

            return previous;
        }
    }

    private static long CollectAndRead()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        var info = GC.GetGCMemoryInfo(GCKind.FullBlocking);
        long bytes = 0;
        foreach (var generation in info.GenerationInfo) bytes += generation.SizeAfterBytes;
        return bytes;
    }

    public void Dispose()
    {
        // Nothing to release; kept disposable so callers written against the meter-based sampler stay valid.
    }
}
