using System.Globalization;
using System.Text.RegularExpressions;
using Apex.Coverage.Web.Plan;

namespace Apex.Coverage.Web.CodeCoverage;

/// <summary>
/// The plan's coverage goal: the target (60%) and the stated starting point ("up from 13.5%"),
/// both read from its Success Metrics, so another plan brings its own numbers.
/// </summary>
public sealed partial record CodeCoverageGoal(decimal? TargetPercent, decimal? StartPercent)
{
    public static CodeCoverageGoal None { get; } = new(null, null);

    public static CodeCoverageGoal From(SuccessMetrics metrics)
    {
        var coverage = metrics.All.FirstOrDefault(m => m.Label.Contains("coverage", StringComparison.OrdinalIgnoreCase));
        var start = coverage is not null && StartFigure().Match(coverage.Text) is { Success: true } match
            ? decimal.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture)
            : (decimal?)null;
        return new CodeCoverageGoal(metrics.CoverageTargetPercent, start);
    }

    [GeneratedRegex(@"from\s+(?<value>\d+(?:\.\d+)?)\s*%", RegexOptions.IgnoreCase)]
    private static partial Regex StartFigure();
}
