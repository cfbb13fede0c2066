namespace Apex.Platform.Resilience.Health;

/// <summary>The services whose health this process aggregates (the dashboard's view of the fleet).</summary>
public sealed class HealthOptions
{
    public const string SectionName = "Platform:Resilience:Health";

    public List<HealthPeer> Peers { get; set; } = [];

    /// <summary>How long a peer may take to report before it counts as unreachable (above the checks' own 3 s limit).</summary>
    public TimeSpan PeerTimeout { get; set; } = TimeSpan.FromSeconds(10);

    public static bool IsValid(HealthOptions options) =>
        options.Peers.All(p => !string.IsNullOrWhiteSpace(p.Name) && Uri.TryCreate(p.Url, UriKind.Absolute, out _));

    public const string Invalid = "Platform:Resilience:Health:Peers: every peer needs a Name and an absolute Url.";
}

public sealed class HealthPeer
{
    public string Name { get; set; } = string.Empty;

    public string Url { get; set; } = string.Empty;
}
