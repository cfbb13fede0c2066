using System.Globalization;
using System.Text;
using Apex.Coverage.Web.Analytics;
using Apex.Coverage.Web.Plan;
using Apex.Coverage.Web.Results;

namespace Apex.Coverage.Web.CiReports;

/// <summary>What a run changed, ready to be written: the reports after and before it, and its tests' moves.</summary>
public sealed record RunSummaryFacts(
    TestRun Run,
    CoverageReport After,
    CoverageReport? Before,
    IReadOnlyList<TestKey> NewFailures,
    IReadOnlyList<TestKey> StillFailing,
    IReadOnlyList<TestKey> Fixed,
    IReadOnlyList<TestKey> Flaky,
    IReadOnlyDictionary<TestKey, FirstFailure> FirstFailures,
    string BaseUrl);

/// <summary>
/// The Markdown of a run for a GitHub job summary or a pull-request comment: protected MRR and
/// its change, new failures, still failing (with the first failing commit), fixed, flaky, links.
/// Pure: the same facts give the same text.
/// </summary>
public static class RunSummary
{
    public const int MaxListed = 25;

    public static string Markdown(RunSummaryFacts facts)
    {
        var text = new StringBuilder();
        var run = facts.Run;
        var icon = run.Status == RunStatus.Passed ? "✅" : run.Status == RunStatus.Failed ? "❌" : "⚠️";
        text.AppendLine(Invariant($"## {icon} Apex Coverage — run [#{run.Id}]({facts.BaseUrl}/runs/{run.Id}) ({run.SuiteName}, {run.Status.ToString().ToLowerInvariant()})"));
        text.AppendLine();
        if (run.Commit is not null || run.Branch is not null)
        {
            text.AppendLine(Invariant($"Commit `{run.Commit ?? "—"}` on `{run.Branch ?? "—"}`.") + (run.BuildUrl is { } url ? $" [Build]({url})" : ""));
            text.AppendLine();
        }

        AppendFigures(text, facts);
        AppendTests(text, "New failures", facts.NewFailures, facts, withOrigin: true);
        AppendTests(text, "Still failing", facts.StillFailing, facts, withOrigin: true);
        AppendTests(text, "Fixed", facts.Fixed, facts, withOrigin: false);
        AppendTests(text, "Flaky", facts.Flaky, facts, withOrigin: false);
        text.AppendLine(Invariant($"[Coverage]({facts.BaseUrl}/) · [Run #{run.Id}]({facts.BaseUrl}/runs/{run.Id}) · [JSON]({facts.BaseUrl}/api/v1/runs/{run.Id})"));
        return text.ToString();
    }

    private static void AppendFigures(StringBuilder text, RunSummaryFacts facts)
    {
        var after = facts.After.Totals;
        var change = facts.Before is { } before ? after.ProtectedMrr - before.Totals.ProtectedMrr : (decimal?)null;
        text.AppendLine("| Protected MRR | Change | At risk | Passed | Failed | Skipped |");
        text.AppendLine("| ---: | ---: | ---: | ---: | ---: | ---: |");
        text.AppendLine(Invariant($"| **{Money(after.ProtectedMrr)}** of {Money(after.Mrr)} ({after.ProtectedShare:P0}) | {Change(change)} | {Money(after.MrrAtRisk)} | {facts.Run.Passed} | {facts.Run.Failed} | {facts.Run.Skipped} |"));
        text.AppendLine();
    }

    private static void AppendTests(StringBuilder text, string title, IReadOnlyList<TestKey> tests, RunSummaryFacts facts, bool withOrigin)
    {
        if (tests.Count == 0)
        {
            return;
        }

        text.AppendLine(Invariant($"### {title} ({tests.Count})"));
        text.AppendLine();
        foreach (var test in tests.Take(MaxListed))
        {
            var link = $"{facts.BaseUrl}/coverage/tests?name={Uri.EscapeDataString(test.FullyQualifiedName)}&suite={Uri.EscapeDataString(test.Suite)}";
            var items = facts.After.Tests.FirstOrDefault(t => t.Key == test)?.PlanItems ?? [];
            var origin = withOrigin && facts.FirstFailures.TryGetValue(test, out var first) ? " — " + Origin(first, facts.BaseUrl) : "";
            text.AppendLine(Invariant($"- [`{test.FullyQualifiedName}`]({link}){Items(items, facts.After)}{origin}"));
        }

        if (tests.Count > MaxListed)
        {
            text.AppendLine(Invariant($"- … and {tests.Count - MaxListed} more"));
        }

        text.AppendLine();
    }

    private static string Items(IReadOnlyList<int> items, CoverageReport report) => items.Count == 0 ? "" :
        " (" + string.Join(", ", items.Select(n => report.Item(n) is { } item ? Invariant($"#{n} {Money(item.Mrr)}") : $"#{n}")) + ")";

    private static string Origin(FirstFailure first, string baseUrl) =>
        Invariant($"failing since `{first.FirstRed.Commit ?? "?"}` ([run #{first.FirstRed.RunId}]({baseUrl}/runs/{first.FirstRed.RunId}))")
        + (first.LastGreen is { } green ? Invariant($", last green `{green.Commit ?? "?"}` ([run #{green.RunId}]({baseUrl}/runs/{green.RunId}))") : ", never green on this branch");

    private static string Change(decimal? change) => change switch
    {
        null => "—",
        0m => "±$0",
        > 0m => "+" + Money(change.Value),
        _ => "−" + Money(-change.Value),
    };

    public static string Money(decimal dollars) => MoneyFigure.Format(Math.Round(dollars, 0));

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
