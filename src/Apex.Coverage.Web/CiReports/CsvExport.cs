using System.Globalization;
using System.Text;
using Apex.Coverage.Web.Analytics;

namespace Apex.Coverage.Web.CiReports;

/// <summary>
/// The coverage table (one row per plan item) and the test table (one row per test) as RFC 4180
/// CSV: invariant numbers, fields quoted when they hold a comma, quote or line break, and a
/// leading =, +, - or @ neutralised so a spreadsheet never runs a cell as a formula.
/// </summary>
public static class CsvExport
{
    public static string Items(CoverageReport report)
    {
        var csv = new StringBuilder("number,name,category,status,bvj_mrr,mrr,protected_mrr,tests\r\n");
        foreach (var item in report.Items)
        {
            Row(csv, item.Item.Number, item.Item.Name, item.Item.CategorySlug, StatusNames.Of(item.Status),
                item.Item.BvjMrr, Math.Round(item.Mrr, 2), Math.Round(item.ProtectedMrr, 2), item.Tests.Count);
        }

        return csv.ToString();
    }

    public static string Tests(CoverageReport report)
    {
        var csv = new StringBuilder("suite,fully_qualified_name,plan_items,status,last_outcome,flaky,flip_rate,results,last_duration_seconds,mrr\r\n");
        foreach (var test in report.Tests.OrderBy(t => t.Key))
        {
            Row(csv, test.Suite, test.FullyQualifiedName, string.Join(' ', test.PlanItems), StatusNames.Of(test.Verdict.Status),
                test.Verdict.LatestOutcome?.ToString().ToLowerInvariant(), test.Verdict.Flaky ? "true" : "false",
                Math.Round(test.Verdict.FlipRate, 4), test.Verdict.Results, test.Verdict.LatestDurationSeconds, Math.Round(test.ItemsMrr, 2));
        }

        return csv.ToString();
    }

    private static void Row(StringBuilder csv, params object?[] fields)
    {
        csv.AppendJoin(',', fields.Select(Field)).Append("\r\n");
    }

    public static string Field(object? value)
    {
        var text = Convert.ToString(value, CultureInfo.InvariantCulture) ?? "";
        if (text.Length > 0 && value is string && "=+-@".Contains(text[0], StringComparison.Ordinal))
        {
            text = "'" + text;
        }

        return text.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? $"\"{text.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : text;
    }
}
