using System.ComponentModel.DataAnnotations;

namespace Apex.Platform.Resilience.Circuits;

/// <summary>One hop of a service chain: the dependency it calls and the breaker in front of it.</summary>
public sealed class ChainOptions
{
    public const string SectionName = "Platform:Resilience:Chain";

    [Required(ErrorMessage = "Platform:Resilience:Chain:Downstream is required (the URL of the next hop or of the external).")]
    [Url(ErrorMessage = "Platform:Resilience:Chain:Downstream must be an absolute URL.")]
    public string Downstream { get; set; } = string.Empty;

    /// <summary>How failures of the downstream itself are named in answers and error groups.</summary>
    [Required(ErrorMessage = "Platform:Resilience:Chain:DownstreamName is required.")]
    public string DownstreamName { get; set; } = string.Empty;

    /// <summary>True when the downstream is another hop (answers chain JSON); false for an external dependency.</summary>
    public bool DownstreamIsHop { get; set; }

    /// <summary>The path called on the downstream.</summary>
    public string Path { get; set; } = "resilience/chain";

    [Range(2, 10_000, ErrorMessage = "Platform:Resilience:Chain:MinimumThroughput must be between 2 and 10000.")]
    public int MinimumThroughput { get; set; } = 4;

    [Range(0.01, 1.0, ErrorMessage = "Platform:Resilience:Chain:FailureRatio must be between 0.01 and 1.")]
    public double FailureRatio { get; set; } = 0.5;

    public TimeSpan SamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(30);
}
