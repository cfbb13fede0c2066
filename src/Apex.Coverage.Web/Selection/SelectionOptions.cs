using System.ComponentModel.DataAnnotations;

namespace Apex.Coverage.Web.Selection;

/// <summary>How the budgeted selection reads history and weighs its terms (section "Selection").</summary>
public sealed class SelectionOptions
{
    public const string SectionName = "Selection";

    /// <summary>How many of a test's latest runs its likelihood to fail is read from.</summary>
    [Range(2, 1000, ErrorMessage = "Selection:Window must be between 2 and 1000 runs.")]
    public int Window { get; set; } = 20;

    /// <summary>Days without a result after which a test's staleness term is full (1).</summary>
    [Range(0.01, 3650, ErrorMessage = "Selection:StaleAfterDays must be between 0.01 and 3650.")]
    public double StaleAfterDays { get; set; } = 7;

    /// <summary>Expected seconds of a test with no duration on record when no other test has one either.</summary>
    [Range(0.001, 3600, ErrorMessage = "Selection:DefaultSeconds must be between 0.001 and 3600.")]
    public double DefaultSeconds { get; set; } = 1;

    public RiskWeights Weights => RiskWeights.Default with { StaleAfterDays = StaleAfterDays, DefaultSeconds = DefaultSeconds };
}
