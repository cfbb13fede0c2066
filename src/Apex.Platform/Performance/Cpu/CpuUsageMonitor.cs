using System.Diagnostics;

namespace Apex.Platform.Performance.Cpu;

/// <summary>CPU time this process used over a window, as a share of the machine's cores.</summary>
public sealed record CpuUsage(TimeSpan CpuTime, TimeSpan Wall, int Cores)
{
    public double Utilization => Wall > TimeSpan.Zero ? CpuTime.TotalSeconds / (Wall.TotalSeconds * Cores) : 0;
}

/// <summary>The usage pattern of the process: CPU time against wall time around a piece of work.</summary>
public static class CpuUsageMonitor
{
    public static async Task<CpuUsage> MeasureAsync(Func<Task> work)
    {
        using var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        await work();
        process.Refresh();
        return new CpuUsage(process.TotalProcessorTime - cpu, wall.Elapsed, Environment.ProcessorCount);
    }
}
