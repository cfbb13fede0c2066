using System.Globalization;
using Apex.Coverage.Web.Analytics;
using Apex.Coverage.Web.Plan;
using Apex.Coverage.Web.Results;
using Apex.Coverage.Web.Runs;
using MudBlazor;

namespace Apex.Coverage.Web.Components.Analytics;

/// <summary>How the coverage pages write figures, statuses and links.</summary>
public static class AnalyticsFormat
{
    /// <summary>Money as every page writes it: whole dollars, K and M with up to two decimals ("$870K", "$1.25M", "$40").</summary>
    public static string Money(decimal dollars) => MoneyFigure.Format(Math.Round(dollars, 0));

    public static string Percent(double share, int decimals = 1) =>
        (share * 100).ToString(decimals == 0 ? "0" : "0." + new string('0', decimals), CultureInfo.InvariantCulture) + "%";

    /// <summary>"1 run", "3 runs": a count with its noun in the right number.</summary>
    public static string Count(int count, string noun) =>
        string.Create(CultureInfo.InvariantCulture, $"{count} {noun}{(count == 1 ? "" : "s")}");

    public static Color StatusColor(ItemStatus status) => status switch
    {
        ItemStatus.Passing => Color.Success,
        ItemStatus.Failing => Color.Error,
        ItemStatus.Flaky => Color.Warning,
        ItemStatus.Quarantined => Color.Secondary,
        ItemStatus.NotRun => Color.Info,
        _ => Color.Default,
    };

    public static Color StatusColor(TestStatus status) => status switch
    {
        TestStatus.Passing => Color.Success,
        TestStatus.Failing => Color.Error,
        TestStatus.Flaky => Color.Warning,
        TestStatus.Quarantined => Color.Secondary,
        _ => Color.Info,
    };

    public static string OutcomeClass(TestOutcome outcome) => outcome switch
    {
        TestOutcome.Passed => "outcome-passed",
        TestOutcome.Failed => "outcome-failed",
        TestOutcome.Skipped => "outcome-skipped",
        _ => "outcome-notfound",
    };

    public static string OutcomeColour(TestOutcome outcome) => outcome switch
    {
        TestOutcome.Passed => "#2e7d32",
        TestOutcome.Failed => "#c62828",
        TestOutcome.Skipped => "#9e9e9e",
        _ => "#e0e0e0",
    };

    public static string TestHref(string fullyQualifiedName) => $"coverage/tests?name={Uri.EscapeDataString(fullyQualifiedName)}";

    /// <summary>The test page of one test: its suite and its name.</summary>
    public static string TestHref(TestCoverage test) =>
        test.Suite.Length == 0 ? TestHref(test.FullyQualifiedName) : $"{TestHref(test.FullyQualifiedName)}&suite={Uri.EscapeDataString(test.Suite)}";

    /// <summary>The method and class, which is what people recognise a test by.</summary>
    public static string ShortName(string fullyQualifiedName)
    {
        var parts = fullyQualifiedName.Split('(')[0].Split('.');
        return parts.Length >= 2 ? $"{parts[^2]}.{parts[^1]}" : fullyQualifiedName;
    }
}
