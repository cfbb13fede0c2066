namespace Apex.Platform.Performance.Cpu;

/// <summary>One method's share of the samples.</summary>
public sealed record Hotspot(string Method, int Samples, double Share);

/// <summary>
/// Sampled stacks (leaf first) of one profiling window. The hotspots of the application are found
/// by charging each sample to its innermost frame that belongs to the application (the namespace
/// prefix), so time spent in the framework on the application's behalf counts for the caller.
/// Samples of idle threads (waiting, no application frame) are left out.
/// </summary>
public sealed class CpuProfile(IReadOnlyList<IReadOnlyList<string>> stacks, TimeSpan elapsed)
{
    public int Samples => stacks.Count;

    public TimeSpan Elapsed => elapsed;

    public IReadOnlyList<Hotspot> Hotspots(string applicationPrefix, int top = 10)
    {
        var charged = stacks
            .Select(frames => frames.FirstOrDefault(f => f.StartsWith(applicationPrefix, StringComparison.Ordinal)))
            .OfType<string>()
            .ToList();
        return charged
            .GroupBy(method => method)
            .Select(g => new Hotspot(g.Key, g.Count(), (double)g.Count() / charged.Count))
            .OrderByDescending(h => h.Samples)
            .Take(top)
            .ToList();
    }
}
