using System.ComponentModel.DataAnnotations;

namespace Apex.Platform.Performance.Load;

/// <summary>How many WebSockets one instance admits, and when a resource counts as saturated.</summary>
public sealed class LoadOptions
{
    public const string SectionName = "Platform:Performance:Load";

    /// <summary>Open WebSockets this instance accepts; the next handshake is answered 503 with Retry-After.</summary>
    [Range(1, 1_000_000)]
    public int MaxConnections { get; set; } = 10_000;

    /// <summary>The path whose WebSocket upgrades are counted.</summary>
    [Required]
    public string WebSocketPath { get; set; } = "/ws";

    /// <summary>Utilisation from which a resource is reported saturated.</summary>
    [Range(0.1, 1.0)]
    public double SaturationThreshold { get; set; } = 0.9;
}
