using Apex.Coverage.Web.Results;

namespace Apex.Coverage.Web.Selection;

/// <summary>Why a test was or was not chosen, in words for the API and the page.</summary>
public sealed record ScoredTest(TestKey Key, IReadOnlyList<int> PlanItems, ScoreTerms Terms, bool Selected, string Reason);

/// <summary>A plan item the selection leaves without any of its tests, and the MRR that leaves unchecked.</summary>
public sealed record LeftOutItem(int Number, decimal Mrr);

/// <summary>
/// The chosen tests in the order they should run, the skipped ones, and what the choice covers:
/// the MRR on the selected tests (<see cref="CoveredMrr"/>) against all of it, and the items it
/// leaves out entirely.
/// </summary>
public sealed record BudgetSelection(TimeSpan Budget, IReadOnlyList<ScoredTest> Selected, IReadOnlyList<ScoredTest> Skipped, IReadOnlyList<LeftOutItem> ItemsLeftOut)
{
    public double SelectedSeconds => Selected.Sum(t => t.Terms.ExpectedSeconds);

    public double TotalSeconds => SelectedSeconds + Skipped.Sum(t => t.Terms.ExpectedSeconds);

    public decimal CoveredMrr => Selected.Sum(t => t.Terms.Mrr);

    public decimal TotalMrr => CoveredMrr + Skipped.Sum(t => t.Terms.Mrr);

    public decimal LeftOutMrr => TotalMrr - CoveredMrr;

    /// <summary>MRR × likelihood summed: the revenue the chosen tests are expected to catch at risk.</summary>
    public double CoveredRisk => Selected.Sum(t => (double)t.Terms.Mrr * t.Terms.Likelihood);

    public double TotalRisk => CoveredRisk + Skipped.Sum(t => (double)t.Terms.Mrr * t.Terms.Likelihood);
}

/// <summary>
/// Fills a budget greedily: must-runs first (failing, then new; by score within each), then the
/// rest by score (MRR × likelihood ÷ seconds). A test that does not fit is skipped and the next
/// one tried, so small tests still fill what is left. The budget is a hard limit: a must-run that
/// no longer fits is skipped and says so (ADR 0200). Pure: same candidates, same selection.
/// </summary>
public static class BudgetSelector
{
    public static BudgetSelection Select(IReadOnlyList<SelectionCandidate> candidates, TimeSpan budget, DateTimeOffset now, RiskWeights weights)
    {
        var scored = Score(candidates, now, weights);
        var ordered = scored
            .OrderBy(s => s.Terms.MustRun switch { MustRun.Failing => 0, MustRun.New => 1, _ => 2 })
            .ThenByDescending(s => s.Terms.Score)
            .ThenByDescending(s => s.Terms.Likelihood)
            .ThenBy(s => s.Terms.ExpectedSeconds)
            .ThenBy(s => s.Key)
            .ToList();
        var left = budget.TotalSeconds;
        var selected = new List<ScoredTest>();
        var skipped = new List<ScoredTest>();
        foreach (var test in ordered)
        {
            if (test.Terms.ExpectedSeconds <= left)
            {
                left -= test.Terms.ExpectedSeconds;
                selected.Add(test with { Selected = true, Reason = Why(test.Terms) });
            }
            else
            {
                skipped.Add(test with { Reason = $"does not fit: needs {test.Terms.ExpectedSeconds:0.###} s, {Math.Max(0, left):0.###} s left" });
            }
        }

        return new BudgetSelection(budget, selected, skipped, LeftOut(candidates, selected));
    }

    /// <summary>Each candidate's terms; tests with no timing expect the median of those with one.</summary>
    public static List<ScoredTest> Score(IReadOnlyList<SelectionCandidate> candidates, DateTimeOffset now, RiskWeights weights)
    {
        var timed = candidates.Where(c => c.Runs.Any(r => r.Outcome is TestOutcome.Passed or TestOutcome.Failed))
            .Select(c => RiskScore.ExpectedSeconds(c, null, weights)).Order().ToList();
        double? median = timed.Count == 0 ? null : timed[timed.Count / 2];
        return [.. candidates.Select(c => new ScoredTest(c.Key, c.PlanItems, RiskScore.Of(c, RiskScore.ExpectedSeconds(c, median, weights), now, weights), false, ""))];
    }

    private static string Why(ScoreTerms terms) => terms.MustRun switch
    {
        MustRun.Failing => "must run: failed in its latest run",
        MustRun.New => "must run: new, never run",
        _ when terms.Changed => "changed: its code changed",
        _ => $"score {terms.Score:0.##} $/s",
    };

    private static List<LeftOutItem> LeftOut(IReadOnlyList<SelectionCandidate> candidates, IReadOnlyList<ScoredTest> selected)
    {
        var chosen = selected.SelectMany(s => s.PlanItems).ToHashSet();
        return [.. candidates.Where(c => !c.Quarantined)
            .SelectMany(c => c.Items)
            .Where(i => !chosen.Contains(i.Number))
            .GroupBy(i => i.Number)
            .Select(g => new LeftOutItem(g.Key, g.Sum(i => i.Mrr)))
            .OrderByDescending(i => i.Mrr).ThenBy(i => i.Number)];
    }
}
