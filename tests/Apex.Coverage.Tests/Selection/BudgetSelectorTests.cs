using Apex.Coverage.Web.Analytics;
using Apex.Coverage.Web.Results;
using Apex.Coverage.Web.Selection;

namespace Apex.Coverage.Tests.Selection;

/// <summary>The score and the greedy fill, as pure functions over histories.</summary>
public sealed class BudgetSelectorTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 0, 0, 0, TimeSpan.Zero);

    /// <summary>A candidate with one plan item's MRR and a history oldest first ("P F P"), each run <paramref name="seconds"/> long.</summary>
    private static SelectionCandidate Test(string name, decimal mrr, string outcomes, double seconds = 1, int item = 1, double daysAgo = 0) =>
        new(new TestKey("s", name), [new ItemShare(item, mrr)], History(outcomes, seconds, daysAgo));

    private static List<RecordedOutcome> History(string outcomes, double seconds, double daysAgo)
    {
        var letters = outcomes.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return [.. letters.Select((o, i) => new RecordedOutcome(i + 1, o == "F" ? TestOutcome.Failed : o == "S" ? TestOutcome.Skipped : TestOutcome.Passed,
                null, seconds, null, Now.AddDays(-daysAgo).AddMinutes(i - (letters.Length - 1))))
            .Reverse()];
    }

    private static BudgetSelection Select(TimeSpan budget, params SelectionCandidate[] tests) =>
        BudgetSelector.Select(tests, budget, Now, RiskWeights.Default);

    [Fact]
    public void Select_PrefersMoreMrrAtRiskPerSecond_WhenOnlyOneFits()
    {
        var cheap = Test("Cheap", 1_000m, "P F P P", seconds: 1);
        var rich = Test("Rich", 10_000m, "P F P P", seconds: 1);

        var selection = Select(TimeSpan.FromSeconds(1.5), cheap, rich);

        Assert.Equal(["Rich"], selection.Selected.Select(t => t.Key.FullyQualifiedName));
        Assert.Equal(10_000m, selection.CoveredMrr);
        Assert.Equal(1_000m, selection.LeftOutMrr);
        Assert.Contains("does not fit", Assert.Single(selection.Skipped).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Select_DividesByExpectedSeconds_WhenMrrIsEqual()
    {
        var slow = Test("Slow", 5_000m, "P F P", seconds: 10);
        var fast = Test("Fast", 5_000m, "P F P", seconds: 2);

        var selection = Select(TimeSpan.FromSeconds(11), slow, fast);

        var slowScore = Assert.Single(selection.Skipped).Terms.Score;
        Assert.Equal(["Fast"], selection.Selected.Select(t => t.Key.FullyQualifiedName));
        Assert.Equal(5 * slowScore, selection.Selected[0].Terms.Score, 6);
    }

    [Fact]
    public void Select_RunsFailingThenNewFirst_WhenTheyCarryLessMrrThanOthers()
    {
        var rich = Test("Rich", 100_000m, "F P P P", seconds: 1);
        var failing = Test("Failing", 10m, "P P F", seconds: 1, item: 3);
        var fresh = new SelectionCandidate(new TestKey("s", "New"), [new ItemShare(2, 10m)], []);

        var selection = Select(TimeSpan.FromSeconds(2.5), rich, failing, fresh);

        Assert.Equal(["Failing", "New"], selection.Selected.Select(t => t.Key.FullyQualifiedName));
        Assert.Equal([MustRun.Failing, MustRun.New], selection.Selected.Select(t => t.Terms.MustRun));
        Assert.Equal("must run: failed in its latest run", selection.Selected[0].Reason);
        Assert.Equal([new LeftOutItem(1, 100_000m)], selection.ItemsLeftOut);
    }

    [Fact]
    public void Select_FillsLeftoverWithSmallerTests_WhenTheNextBestDoesNotFit()
    {
        var best = Test("Best", 9_000m, "P F", seconds: 6);
        var big = Test("Big", 9_000m, "P F", seconds: 8);
        var small = Test("Small", 100m, "P F", seconds: 3);

        var selection = Select(TimeSpan.FromSeconds(10), best, big, small);

        Assert.Equal(["Best", "Small"], selection.Selected.Select(t => t.Key.FullyQualifiedName));
        Assert.Equal(9.0, selection.SelectedSeconds, 6);
    }

    [Fact]
    public void Score_RisesWithRecentFailuresFlipsAndIdleDays_WhenMrrAndDurationAreEqual()
    {
        var steady = RiskScore.Of(Test("Steady", 1_000m, "P P P P"), 1, Now, RiskWeights.Default);
        var brokeOnce = RiskScore.Of(Test("Old", 1_000m, "F P P P"), 1, Now, RiskWeights.Default);
        var brokeLately = RiskScore.Of(Test("Lately", 1_000m, "P P F P"), 1, Now, RiskWeights.Default);
        var idle = RiskScore.Of(Test("Idle", 1_000m, "P P P P", daysAgo: 14), 1, Now, RiskWeights.Default);

        Assert.Equal(0.01, steady.Likelihood, 6);
        Assert.True(brokeLately.RecentFailureRate > brokeOnce.RecentFailureRate, $"{brokeLately.RecentFailureRate} vs {brokeOnce.RecentFailureRate}");
        Assert.Equal(2.0 / 3, brokeLately.FlipRate, 6);
        Assert.True(brokeLately.Score > brokeOnce.Score && brokeOnce.Score > steady.Score);
        Assert.Equal(0.11, idle.Likelihood, 6);
        Assert.Equal(1_000 * 0.11, idle.Score, 6);
    }

    [Fact]
    public void Score_IsZeroAndNotMustRun_WhenTestIsQuarantined()
    {
        var quarantined = Test("Q", 50_000m, "P F") with { Quarantined = true };

        var terms = RiskScore.Of(quarantined, 1, Now, RiskWeights.Default);

        Assert.Equal((0m, 0d, MustRun.No), (terms.Mrr, terms.Score, terms.MustRun));
    }

    [Fact]
    public void Score_TakesLikelihoodOne_WhenTestChangedOrIsNew()
    {
        var changed = RiskScore.Of(Test("C", 1_000m, "P P P") with { Changed = true }, 2, Now, RiskWeights.Default);
        var onlySkipped = RiskScore.Of(Test("S", 1_000m, "S S"), 2, Now, RiskWeights.Default);

        Assert.Equal((1d, 500d, MustRun.No), (changed.Likelihood, changed.Score, changed.MustRun));
        Assert.False(onlySkipped.New);
        Assert.Equal(MustRun.No, onlySkipped.MustRun);
    }

    [Fact]
    public void ExpectedSeconds_TakesMedianOfOthers_WhenTestHasNoTiming()
    {
        var a = Test("A", 1m, "P", seconds: 1);
        var b = Test("B", 1m, "P", seconds: 3);
        var c = Test("C", 1m, "P", seconds: 5);
        var fresh = new SelectionCandidate(new TestKey("s", "New"), [new ItemShare(1, 1m)], []);

        var scored = BudgetSelector.Score([a, b, c, fresh], Now, RiskWeights.Default);

        Assert.Equal(3, scored.Single(t => t.Key.FullyQualifiedName == "New").Terms.ExpectedSeconds, 6);
    }
}
