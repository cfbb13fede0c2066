using System.Collections.Concurrent;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Apex.Platform.Resilience.Degradation;

/// <summary>
/// The degradation manager: whether a dependency is usable, from its health check, remembered for
/// <see cref="DegradationOptions.RecheckAfter"/> on the platform's clock so a dead store costs one
/// check per interval rather than one timeout per request. A failure seen in real use marks the
/// dependency down at once. Changes of state become user-visible notices.
/// </summary>
public sealed class DependencyHealthMonitor(HealthCheckService checks, IOptions<DegradationOptions> options, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, Probe> _probes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DegradationNotice> _notices = new(StringComparer.Ordinal);

    public async Task<bool> IsHealthyAsync(string dependency, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (_probes.TryGetValue(dependency, out var known) && now - known.At < options.Value.RecheckAfter) return known.Healthy;
        var report = await checks.CheckHealthAsync(r => r.Name == dependency, cancellationToken);
        var healthy = report.Entries.Count > 0 && report.Status == HealthStatus.Healthy;
        Record(dependency, healthy, now);
        return healthy;
    }

    /// <summary>A call to the dependency failed: degrade now instead of at the next check.</summary>
    public void ReportFailure(string dependency) => Record(dependency, healthy: false, time.GetUtcNow());

    public IReadOnlyList<DegradationNotice> Notices() => [.. _notices.Values.OrderBy(n => n.Feature)];

    private void Record(string dependency, bool healthy, DateTimeOffset at)
    {
        _probes[dependency] = new Probe(healthy, at);
        foreach (var feature in DegradableFeatures.All.Where(f => f.Dependency == dependency))
        {
            if (healthy) _notices.TryRemove(feature.Name, out _);
            else _notices.TryAdd(feature.Name, new DegradationNotice(feature.Name, dependency, feature.Notice, at));
        }
    }

    private sealed record Probe(bool Healthy, DateTimeOffset At);
}

/// <summary>What users are shown while a feature is off: which, why, since when.</summary>
public sealed record DegradationNotice(string Feature, string Dependency, string Message, DateTimeOffset Since);

public sealed class DegradationOptions
{
    public const string SectionName = "Platform:Resilience:Degradation";

    public TimeSpan RecheckAfter { get; set; } = TimeSpan.FromSeconds(10);
}
