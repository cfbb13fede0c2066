using Apex.Coverage.Web.Runs;
using Microsoft.VisualStudio.TestPlatform.ObjectModel.Utilities;

namespace Apex.Coverage.Web.Selection;

public sealed record ScoreTermsJson(
    decimal Mrr, double RecentFailureRate, double FlipRate, double DaysSinceLastRun, bool New, bool Changed,
    double Likelihood, double ExpectedSeconds, double Score, string MustRun);

public sealed record SelectedTestJson(string Suite, string FullyQualifiedName, IReadOnlyList<int> PlanItems, string Reason, ScoreTermsJson Terms);

public sealed record LeftOutItemJson(int Number, decimal Mrr);

public sealed record SelectionJson(
    string Budget, double BudgetSeconds, double SelectedSeconds, double TotalSeconds,
    decimal CoveredMrr, decimal LeftOutMrr, decimal TotalMrr, double CoveredRisk, double TotalRisk,
    string Filter, IReadOnlyList<LeftOutItemJson> ItemsLeftOut,
    IReadOnlyList<SelectedTestJson> Selected, IReadOnlyList<SelectedTestJson> Skipped);

/// <summary>The selection as the API answers it: JSON with every term, a name list, or a VSTest filter.</summary>
public static class SelectionFormats
{
    /// <summary>
    /// A <c>dotnet test --filter</c> / VSTest test case filter that selects exactly these tests by
    /// name (escaped the way VSTest reads it), or null when nothing is selected.
    /// </summary>
    public static string? Filter(BudgetSelection selection) =>
        selection.Selected.Count == 0
            ? null
            : string.Join("|", selection.Selected.Select(t => t.Key.FullyQualifiedName).Distinct(StringComparer.Ordinal)
                .Select(n => $"FullyQualifiedName={FilterHelper.Escape(n)}"));

    public static string List(BudgetSelection selection) =>
        string.Concat(selection.Selected.Select(t => t.Key.FullyQualifiedName).Distinct(StringComparer.Ordinal).Select(n => n + "\n"));

    public static SelectionJson Json(BudgetSelection s) => new(
        s.Budget.ToString("c"), s.Budget.TotalSeconds, Round(s.SelectedSeconds), Round(s.TotalSeconds),
        Money(s.CoveredMrr), Money(s.LeftOutMrr), Money(s.TotalMrr), Round(s.CoveredRisk), Round(s.TotalRisk),
        Filter(s) ?? "", [.. s.ItemsLeftOut.Select(i => new LeftOutItemJson(i.Number, Money(i.Mrr)))],
        [.. s.Selected.Select(Test)], [.. s.Skipped.Select(Test)]);

    private static SelectedTestJson Test(ScoredTest t) => new(
        t.Key.Suite, t.Key.FullyQualifiedName, t.PlanItems, t.Reason, new ScoreTermsJson(
            Money(t.Terms.Mrr), Round(t.Terms.RecentFailureRate), Round(t.Terms.FlipRate), Round(t.Terms.DaysSinceLastRun),
            t.Terms.New, t.Terms.Changed, Round(t.Terms.Likelihood), Round(t.Terms.ExpectedSeconds), Round(t.Terms.Score),
            RunJson.Lower(t.Terms.MustRun)));

    private static decimal Money(decimal dollars) => Math.Round(dollars, 2);

    private static double Round(double value) => Math.Round(value, 4);
}
