using System.Diagnostics.Tracing;

namespace Apex.Platform.Performance.Gc;

/// <summary>
/// Listens to the runtime's own GC events in process (the Microsoft-Windows-DotNETRuntime event
/// source, GC keyword): each pause is the time from GCSuspendEEBegin to GCRestartEEEnd, and each
/// GCStart is counted by generation. Percentiles of the pauses are what a request waiting on a GC
/// feels.
/// </summary>
public sealed class GcPauseMonitor : EventListener
{
    private const int GcStart = 1;
    private const int RestartEnd = 3;
    private const int SuspendBegin = 9;
    private const EventKeywords GcKeyword = (EventKeywords)0x1;
    private readonly Lock _gate = new();
    private readonly List<TimeSpan> _pauses = [];
    private readonly int[] _collections = new int[3];
    private DateTime? _suspendedAt;

    public IReadOnlyList<TimeSpan> Pauses
    {
        get { lock (_gate) return [.. _pauses]; }
    }

    public int Collections(int generation)
    {
        lock (_gate) return _collections[Math.Clamp(generation, 0, 2)];
    }

    public TimeSpan Percentile(double p)
    {
        var sorted = Pauses.Order().ToList();
        return sorted.Count == 0 ? TimeSpan.Zero : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
    }

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime") EnableEvents(eventSource, EventLevel.Informational, GcKeyword);
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        lock (_gate)
        {
            switch (e.EventId)
            {
                case SuspendBegin:
                    _suspendedAt = e.TimeStamp;
                    break;
                case RestartEnd when _suspendedAt is { } suspended:
                    _pauses.Add(e.TimeStamp - suspended);
                    _suspendedAt = null;
                    break;
                case GcStart when e.Payload is { Count: > 1 } payload && payload[1] is uint depth:
                    _collections[Math.Min((int)depth, 2)]++;
                    break;
            }
        }
    }
}
