using System.ComponentModel.DataAnnotations;

namespace Apex.Platform.Resilience.Chaos;

/// <summary>
/// The chaos injector's target and the SLOs its impact is measured against. The injector exists
/// only where this section is configured with Enabled = true: never by accident in production.
/// </summary>
public sealed class ChaosOptions
{
    public const string SectionName = "Platform:Resilience:Chaos";

    public bool Enabled { get; set; }

    [Required(ErrorMessage = "Platform:Resilience:Chaos:Catalog is required (the catalog API whose calls faults are injected into).")]
    [Url(ErrorMessage = "Platform:Resilience:Chaos:Catalog must be an absolute URL.")]
    public string Catalog { get; set; } = string.Empty;

    [Range(0.0, 1.0, ErrorMessage = "Platform:Resilience:Chaos:AvailabilityObjective must be between 0 and 1.")]
    public double AvailabilityObjective { get; set; } = 0.99;

    public TimeSpan LatencyObjective { get; set; } = TimeSpan.FromMilliseconds(500);
}

/// <summary>What is injected now: added latency, and faults — a cut connection or an error answer — each with a rate.</summary>
public sealed record ChaosSettings(int LatencyMs = 0, double LatencyRate = 0, double FaultRate = 0, string Fault = ChaosSettings.ConnectionCut)
{
    public const string ConnectionCut = "connection-cut";
    public const string ServerError = "server-error";

    public static readonly ChaosSettings Off = new();

    public bool IsOff => (LatencyMs == 0 || LatencyRate == 0) && FaultRate == 0;

    public bool IsValid => LatencyMs is >= 0 and <= 600_000 && LatencyRate is >= 0 and <= 1 && FaultRate is >= 0 and <= 1 && Fault is ConnectionCut or ServerError;

    public string Label => IsOff ? "off" : $"latency {LatencyMs} ms x{LatencyRate:0.##}, {Fault} x{FaultRate:0.##}";
}

/// <summary>The run-time switch every chaos strategy reads on each call.</summary>
public sealed class ChaosSwitch
{
    private volatile ChaosSettings _current = ChaosSettings.Off;

    public ChaosSettings Current => _current;

    public void Set(ChaosSettings settings) => _current = settings;
}
