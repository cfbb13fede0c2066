using System.Globalization;
using System.Text.RegularExpressions;

namespace Apex.Coverage.Web.Plan;

/// <summary>
/// Picks the numbers the dashboard measures against out of the Success Metrics list: the
/// coverage target %, the suite's time budget and the flakiness limit %.
/// </summary>
internal static partial class SuccessMetricsReader
{
    [GeneratedRegex(@"(?<value>\d+(?:\.\d+)?)\s*%")]
    private static partial Regex Percent();

    [GeneratedRegex(@"(?<value>\d+(?:\.\d+)?)\s*(?<unit>hours?|hrs?|h|minutes?|mins?|m|seconds?|secs?|s)\b",
        RegexOptions.IgnoreCase)]
    private static partial Regex Duration();

    public static SuccessMetrics From(IReadOnlyList<PlanMetric> metrics) => new(
        FirstPercent(metrics.FirstOrDefault(m => Has(m.Label, "coverage"))),
        metrics.Where(m => Has(m.Label, "time") || Has(m.Label, "duration"))
            .Select(m => DurationOf(m.Text)).FirstOrDefault(d => d is not null),
        FirstPercent(metrics.FirstOrDefault(m => Has(m.Label, "reliab") || Has(m.Text, "flak"))),
        metrics.Where(m => Has(m.Label, "impact") || Has(m.Label, "mrr"))
            .Select(m => MoneyFigure.Find(m.Text)).FirstOrDefault(d => d is not null),
        metrics);

    private static bool Has(string text, string word) => text.Contains(word, StringComparison.OrdinalIgnoreCase);

    private static decimal? FirstPercent(PlanMetric? metric) =>
        metric is not null && Percent().Match(metric.Text) is { Success: true } match
            ? decimal.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture)
            : null;

    private static TimeSpan? DurationOf(string text)
    {
        var match = Duration().Match(text);
        if (!match.Success)
        {
            return null;
        }

        var value = double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture);
        return char.ToUpperInvariant(match.Groups["unit"].Value[0]) switch
        {
            'H' => TimeSpan.FromHours(value),
            'M' => TimeSpan.FromMinutes(value),
            _ => TimeSpan.FromSeconds(value),
        };
    }
}
