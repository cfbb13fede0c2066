using System.Diagnostics;

namespace Apex.Platform.Performance.Load;

/// <summary>What the process holds at one moment, each with the limit it runs into.</summary>
public sealed record ResourceSnapshot(
    int Connections, int ConnectionLimit, long ConnectionsRefused,
    int OpenFileDescriptors, int FileDescriptorLimit,
    long ManagedHeapBytes, long WorkingSetBytes, long MemoryLimitBytes,
    int ProcessThreads, int ThreadPoolThreads, int ThreadPoolMaxThreads, long ThreadPoolQueue);

/// <summary>
/// Samples the resources a connection costs — sockets (file descriptors), memory, threads — from
/// the runtime and, on Linux, /proc, next to the admission counters.
/// </summary>
public sealed class ResourceMonitor(ConnectionAdmission admission)
{
    public ResourceSnapshot Sample()
    {
        ThreadPool.GetMaxThreads(out var maxWorkers, out _);
        using var process = Process.GetCurrentProcess();
        return new ResourceSnapshot(
            admission.Open, admission.Limit, admission.Refused,
            OpenFileDescriptors(), FileDescriptorLimit(),
            GC.GetTotalMemory(forceFullCollection: false), Environment.WorkingSet, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes,
            process.Threads.Count, ThreadPool.ThreadCount, maxWorkers, ThreadPool.PendingWorkItemCount);
    }

    private static int OpenFileDescriptors() =>
        Directory.Exists("/proc/self/fd") ? Directory.GetFileSystemEntries("/proc/self/fd").Length : 0;

    // "Max open files            20000                20000                files"
    private static int FileDescriptorLimit()
    {
        if (!File.Exists("/proc/self/limits")) return int.MaxValue;
        var line = File.ReadLines("/proc/self/limits").FirstOrDefault(l => l.StartsWith("Max open files", StringComparison.Ordinal));
        var soft = line?.Split(' ', StringSplitOptions.RemoveEmptyEntries).ElementAtOrDefault(3);
        return int.TryParse(soft, out var limit) ? limit : int.MaxValue;
    }
}
