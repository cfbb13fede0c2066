using System.Diagnostics.Metrics;

namespace Apex.Platform.Performance.Memory;

/// <summary>
/// Reads the managed heap from the runtime's own counters: the "System.Runtime" meter's
/// <c>dotnet.gc.last_collection.heap.size</c> (summed over generations) right after a full,
/// compacting collection, so what is measured is what is still reachable — the quantity a leak grows.
/// </summary>
public sealed class RuntimeMemorySampler : IDisposable
{
    public const string HeapSizeInstrument = "dotnet.gc.last_collection.heap.size";
    private readonly MeterListener _listener = new();
    private long _heapBytes;

    public RuntimeMemorySampler()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "System.Runtime" && instrument.Name == HeapSizeInstrument) listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((_, value, _, _) => _heapBytes += value);
        _listener.Start();
    }

    /// <summary>Reachable managed bytes now, as the runtime reports them after a full collection.</summary>
    public long SampleReachableBytes()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        lock (_listener)
        {
            _heapBytes = 0;
            _listener.RecordObservableInstruments();
            return _heapBytes;
        }
    }

    public void Dispose() => _listener.Dispose();
}
