using Microsoft.Extensions.Options;

namespace Apex.Platform.Performance.Load;

/// <summary>One resource's use against its limit.</summary>
public sealed record ResourceUsage(string Resource, double Used, double Limit, bool Saturated)
{
    public double Utilization => Limit > 0 ? Used / Limit : 0;
}

/// <summary>
/// Names the resource that limits the instance: each resource's utilisation against its limit,
/// highest first; a resource is saturated at the configured threshold, and the connection slots
/// are saturated as soon as a handshake was refused for want of one.
/// </summary>
public sealed class BottleneckDetector(IOptions<LoadOptions> options)
{
    public const string Connections = "websocket-connections";
    public const string FileDescriptors = "file-descriptors";
    public const string Memory = "memory";
    public const string ThreadPool = "thread-pool";

    public IReadOnlyList<ResourceUsage> Analyze(ResourceSnapshot s)
    {
        var threshold = options.Value.SaturationThreshold;
        ResourceUsage Usage(string name, double used, double limit, bool refused = false) =>
            new(name, used, limit, refused || (limit > 0 && used / limit >= threshold));
        return new[]
        {
            Usage(Connections, s.Connections, s.ConnectionLimit, s.ConnectionsRefused > 0),
            Usage(FileDescriptors, s.OpenFileDescriptors, s.FileDescriptorLimit),
            Usage(Memory, s.WorkingSetBytes, s.MemoryLimitBytes),
            Usage(ThreadPool, s.ThreadPoolThreads, s.ThreadPoolMaxThreads),
        }.OrderByDescending(u => u.Saturated).ThenByDescending(u => u.Utilization).ToList();
    }
}
