using System.ComponentModel.DataAnnotations;

namespace Apex.Coverage.Web.Analytics;

/// <summary>The flakiness rule's numbers and how much history the pages show (section "Analytics").</summary>
public sealed class AnalyticsOptions
{
    public const string SectionName = "Analytics";

    /// <summary>How many of a test's latest results (one per run) the flakiness rule looks at.</summary>
    [Range(2, 1000, ErrorMessage = "Analytics:Window must be between 2 and 1000 results.")]
    public int Window { get; set; } = 30;

    /// <summary>Flip rate (outcome changes ÷ (results − 1)) at or above which a test is flaky.</summary>
    [Range(0.0, 1.0, ErrorMessage = "Analytics:FlipRateThreshold must be between 0 and 1.")]
    public double FlipRateThreshold { get; set; } = 0.1;

    /// <summary>The flip rate counts only with at least this many flips (one flip is a fix or a break).</summary>
    [Range(1, 1000, ErrorMessage = "Analytics:MinimumFlips must be between 1 and 1000.")]
    public int MinimumFlips { get; set; } = 2;

    /// <summary>How many points the overview's trend charts show.</summary>
    [Range(2, 500, ErrorMessage = "Analytics:TrendPoints must be between 2 and 500.")]
    public int TrendPoints { get; set; } = 30;

    /// <summary>
    /// Discover each built, never-discovered suite in the background after start-up, so the
    /// overview counts tagged tests before any run. Off unless configured (the repo's
    /// appsettings.json turns it on) so hosts made for tests start no vstest.console of their own.
    /// </summary>
    public bool DiscoverOnStart { get; set; }

    public FlakinessRule Rule => new(Window, FlipRateThreshold, MinimumFlips);
}

/// <summary>The shared flakiness definition's parameters, shown next to every flaky figure.</summary>
public sealed record FlakinessRule(int Window, double FlipRateThreshold, int MinimumFlips)
{
    public static FlakinessRule Default { get; } = new(30, 0.1, 2);
}
