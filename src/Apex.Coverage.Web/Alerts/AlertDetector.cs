using System.Globalization;
using Apex.Coverage.Web.Analytics;

namespace Apex.Coverage.Web.Alerts;

/// <summary>One change worth an alert: its kind, what it is about, words for people, and figures for scripts.</summary>
public sealed record AlertEvent(string Kind, string Subject, string Title, string Text, IReadOnlyDictionary<string, object?> Details);

/// <summary>
/// Compares the report after a default-branch run with the marks left by the last judgement:
/// protected MRR lower than before, an item now failing that was not, a test now flaky that was
/// not. A fact seen for the first time is a baseline, not a change. Each alert fires once, when
/// the fact changes, because the marks move with it. Pure.
/// </summary>
public static class AlertDetector
{
    public const string MrrDrop = "protected-mrr-drop";
    public const string ItemFailing = "item-failing";
    public const string TestFlaky = "test-flaky";

    public static (List<AlertEvent> Events, Dictionary<string, string> Marks) Judge(IReadOnlyDictionary<string, string> marks, CoverageReport report)
    {
        var events = new List<AlertEvent>();
        var next = new Dictionary<string, string>(StringComparer.Ordinal);
        var mrr = Math.Round(report.Totals.ProtectedMrr, 2);
        next["protected-mrr"] = mrr.ToString(CultureInfo.InvariantCulture);
        if (marks.TryGetValue("protected-mrr", out var was) && decimal.Parse(was, CultureInfo.InvariantCulture) is var before && mrr < before)
        {
            events.Add(new AlertEvent(MrrDrop, "total", $"Protected MRR dropped by {Money(before - mrr)}",
                $"Protected MRR is {Money(mrr)} of {Money(report.Totals.Mrr)}, down from {Money(before)}.",
                new Dictionary<string, object?> { ["before"] = before, ["after"] = mrr, ["mrr"] = report.Totals.Mrr }));
        }

        foreach (var item in report.Items)
        {
            var key = $"item:{item.Item.Number}";
            var status = StatusNames.Of(item.Status);
            next[key] = status;
            if (item.Status == ItemStatus.Failing && marks.TryGetValue(key, out var old) && old != status)
            {
                events.Add(new AlertEvent(ItemFailing, item.Item.Number.ToString(CultureInfo.InvariantCulture),
                    $"Plan item {item.Item.Number} is failing: {item.Item.Name}",
                    $"Item {item.Item.Number} ({item.Item.Name}) went from {old} to failing; it protects {Money(item.Mrr)} of MRR.",
                    new Dictionary<string, object?> { ["item"] = item.Item.Number, ["name"] = item.Item.Name, ["was"] = old, ["mrr"] = Math.Round(item.Mrr, 2) }));
            }
        }

        foreach (var test in report.Tests)
        {
            var key = $"test:{test.Suite}:{test.FullyQualifiedName}";
            var state = test.Verdict.Flaky ? "flaky" : "steady";
            next[key] = state;
            if (test.Verdict.Flaky && marks.TryGetValue(key, out var old) && old != state)
            {
                events.Add(new AlertEvent(TestFlaky, $"{test.Suite}:{test.FullyQualifiedName}", $"Test turned flaky: {test.FullyQualifiedName}",
                    $"{test.FullyQualifiedName} ({test.Suite}) is flaky: flip rate {test.Verdict.FlipRate:P0} over its last {test.Verdict.Results} runs"
                    + (test.ItemsMrr > 0 ? $"; it guards {Money(test.ItemsMrr)} of MRR." : "."),
                    new Dictionary<string, object?> { ["suite"] = test.Suite, ["test"] = test.FullyQualifiedName, ["flipRate"] = Math.Round(test.Verdict.FlipRate, 4), ["planItems"] = test.PlanItems }));
            }
        }

        return (events, next);
    }

    private static string Money(decimal dollars) => Plan.MoneyFigure.Format(Math.Round(dollars, 0));
}
