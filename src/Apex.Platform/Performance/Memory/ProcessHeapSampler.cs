using System.Diagnostics.Tracing;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;

namespace Apex.Platform.Performance.Memory;

/// <summary>
/// Reads how many managed bytes a .NET process still holds, from the outside, through its
/// diagnostics port: an EventPipe session on the runtime provider with the GCHeapCollect keyword
/// makes the runtime run a full blocking collection (what dotnet-gcdump does), and the GC's own
/// HeapStats event then reports what survived it. Nothing in the watched process cooperates, and
/// nothing of the sampling process's heap (a test host full of other work) is in the figure.
/// </summary>
public sealed class ProcessHeapSampler(int processId)
{
    private const long GcKeyword = 0x1;
    private const long GcHeapCollectKeyword = 0x800000;
    private static readonly TimeSpan SampleTimeout = TimeSpan.FromSeconds(60);

    public int ProcessId => processId;

    /// <summary>Bytes that survived a full blocking collection of the watched process, all generations and the large and pinned object heaps.</summary>
    public async Task<long> SampleReachableBytesAsync(CancellationToken cancellationToken)
    {
        var client = new DiagnosticsClient(processId);
        var provider = new EventPipeProvider("Microsoft-Windows-DotNETRuntime", EventLevel.Informational, GcKeyword | GcHeapCollectKeyword);
        using var session = await client.StartEventPipeSessionAsync([provider], requestRundown: false, circularBufferMB: 16, cancellationToken);
        using var source = new EventPipeEventSource(session.EventStream);
        var survived = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        var fullBlockingCollection = false;
        // Only the statistics of a full blocking collection count: a background or ephemeral one
        // leaves garbage in the older generations and would read as growth.
        source.Clr.GCStart += e => fullBlockingCollection = e.Depth == 2 && e.Type != GCType.BackgroundGC;
        source.Clr.GCHeapStats += e =>
        {
            if (fullBlockingCollection) survived.TrySetResult(SurvivedBytes(e));
        };
        var processing = Task.Run(source.Process, CancellationToken.None);
        try
        {
            return await survived.Task.WaitAsync(SampleTimeout, cancellationToken);
        }
        finally
        {
            await session.StopAsync(CancellationToken.None);
            await processing;
        }
    }

    private static long SurvivedBytes(GCHeapStatsTraceData stats) =>
        stats.TotalPromotedSize0 + stats.TotalPromotedSize1 + stats.TotalPromotedSize2 + stats.TotalPromotedSize3 + stats.TotalPromotedSize4;
}
