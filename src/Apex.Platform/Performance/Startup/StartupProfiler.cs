namespace Apex.Platform.Performance.Startup;

/// <summary>
/// Timestamps of the start phases, measured from the moment the platform's services were
/// registered (the earliest point the platform's own code runs): what a start spends its time on,
/// and the proof of the order (dependencies ready before the server listens, or after). Real time
/// always (a start is measured on the wall clock even where the platform runs on a test clock).
/// </summary>
public sealed class StartupProfiler(TimeProvider time, long origin)
{
    public const string HostStarting = "host-starting";
    public const string DependenciesReady = "dependencies-ready";
    public const string Listening = "listening";

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, TimeSpan> _phases = new();

    public void Mark(string phase) => _phases.TryAdd(phase, time.GetElapsedTime(origin));

    public IReadOnlyDictionary<string, double> PhasesMs =>
        _phases.OrderBy(p => p.Value).ToDictionary(p => p.Key, p => Math.Round(p.Value.TotalMilliseconds, 1));
}
