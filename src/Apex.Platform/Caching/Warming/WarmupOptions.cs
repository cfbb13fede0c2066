namespace Apex.Platform.Caching.Warming;

/// <summary>What to warm: source records by key prefix, plus keys that must be warm for the instance to be ready.</summary>
public sealed class WarmupOptions
{
    public const string SectionName = "Platform:Caching:Warmup";

    /// <summary>Every source record under these prefixes is warmed, highest priority first.</summary>
    public List<string> Prefixes { get; set; } = [];

    /// <summary>Keys that must be warmed even if no prefix lists them; a missing one is reported, not skipped silently.</summary>
    public List<string> RequiredKeys { get; set; } = [];

    /// <summary>Entries at or above this priority must be warm before the instance reports ready.</summary>
    public int CriticalPriority { get; set; } = 100;
}
