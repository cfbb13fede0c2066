using Microsoft.Extensions.Options;

namespace Apex.Platform.Resilience.Chaos;

/// <summary>
/// The impact monitor: every catalog call's outcome and latency (on the platform's clock), grouped
/// in phases — a new phase each time the chaos switch changes — so each phase's SLO compliance can
/// be compared with the baseline and recovery be shown by the phase after the switch goes off.
/// </summary>
public sealed class ImpactMonitor(IOptions<ChaosOptions> options)
{
    private readonly Lock _gate = new();
    private readonly List<Phase> _phases = [new("baseline")];

    public void StartPhase(string label)
    {
        lock (_gate) _phases.Add(new Phase(label));
    }

    public void Record(bool succeeded, TimeSpan latency)
    {
        lock (_gate) _phases[^1].Calls.Add((succeeded, latency));
    }

    public IReadOnlyList<PhaseReport> Report()
    {
        lock (_gate) return [.. _phases.Select(Assess)];
    }

    private PhaseReport Assess(Phase phase)
    {
        var slo = options.Value;
        var calls = phase.Calls;
        var availability = calls.Count == 0 ? 1.0 : calls.Count(c => c.Succeeded) / (double)calls.Count;
        var sorted = calls.Select(c => c.Latency.TotalMilliseconds).Order().ToList();
        var p95 = sorted.Count == 0 ? 0 : sorted[(int)Math.Ceiling(0.95 * sorted.Count) - 1];
        return new PhaseReport(phase.Label, calls.Count, availability, p95,
            availability >= slo.AvailabilityObjective, p95 <= slo.LatencyObjective.TotalMilliseconds);
    }

    private sealed record Phase(string Label)
    {
        public List<(bool Succeeded, TimeSpan Latency)> Calls { get; } = [];
    }
}

public sealed record PhaseReport(string Label, int Calls, double Availability, double P95LatencyMs, bool AvailabilityMet, bool LatencyMet);
