using System.Diagnostics.Tracing;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing.Etlx;

namespace Apex.Platform.Performance.Cpu;

/// <summary>
/// Samples this process's stacks while a workload runs, through the runtime's diagnostics port
/// (Microsoft.Diagnostics.NETCore.Client, an EventPipe session with the sample profiler and a
/// rundown for method names), then resolves them (TraceEvent) into per-method sample counts.
/// In process, no agent or tool to install: what dotnet-trace does, on demand.
/// </summary>
public sealed class CpuSampler(TimeProvider time)
{
    private static readonly EventPipeProvider[] Providers =
    [
        new("Microsoft-DotNETCore-SampleProfiler", EventLevel.Informational),
        // JIT and loader keywords: method load events, so the stacks' addresses get names.
        new("Microsoft-Windows-DotNETRuntime", EventLevel.Informational, 0x10 | 0x8),
    ];

    /// <summary>Runs <paramref name="workload"/> under the profiler and returns the samples it took.</summary>
    public async Task<CpuProfile> ProfileAsync(Func<CancellationToken, Task> workload, CancellationToken cancellationToken)
    {
        var trace = Path.Combine(Path.GetTempPath(), $"apex-cpu-{Guid.NewGuid():N}.nettrace");
        try
        {
            var started = time.GetTimestamp();
            var client = new DiagnosticsClient(Environment.ProcessId);
            using (var session = await client.StartEventPipeSessionAsync(Providers, requestRundown: true, circularBufferMB: 256, cancellationToken))
            {
                await using var file = File.Create(trace);
                var copying = session.EventStream.CopyToAsync(file, cancellationToken);
                await workload(cancellationToken);
                await session.StopAsync(cancellationToken);
                await copying;
            }

            return Resolve(trace, time.GetElapsedTime(started));
        }
        finally
        {
            File.Delete(trace);
            File.Delete(Path.ChangeExtension(trace, ".etlx"));
        }
    }

    private static CpuProfile Resolve(string trace, TimeSpan elapsed)
    {
        var stacks = new List<IReadOnlyList<string>>();
        using (var log = new TraceLog(TraceLog.CreateFromEventPipeDataFile(trace)))
        {
            foreach (var e in log.Events)
            {
                if (e.ProviderName != "Microsoft-DotNETCore-SampleProfiler") continue;
                var frames = new List<string>();
                for (var frame = e.CallStack(); frame is not null; frame = frame.Caller) frames.Add(frame.CodeAddress.FullMethodName);
                if (frames.Count > 0) stacks.Add(frames);
            }
        }

        return new CpuProfile(stacks, elapsed);
    }
}
