using Apex.Coverage.Web.Analytics;
using Apex.Coverage.Web.Results;

namespace Apex.Coverage.Web.Selection;

/// <summary>Why a test runs whatever its score: it failed last time, or it has never run.</summary>
public enum MustRun
{
    No,
    Failing,
    New,
}

/// <summary>The MRR one plan item puts on one of its tests: its BVJ share of the category MRR ÷ its tests.</summary>
public sealed record ItemShare(int Number, decimal Mrr);

/// <summary>
/// A test the selection may pick: its key, the MRR each of its plan items puts on it, its recent
/// results (one per run, newest first) and whether a change touched it.
/// </summary>
public sealed record SelectionCandidate(
    TestKey Key, IReadOnlyList<ItemShare> Items, IReadOnlyList<RecordedOutcome> Runs, bool Quarantined = false, bool Changed = false)
{
    public decimal Mrr => Items.Sum(i => i.Mrr);

    public IReadOnlyList<int> PlanItems => [.. Items.Select(i => i.Number)];
}

/// <summary>The terms a test's score is made of, each shown so the choice can be explained.</summary>
public sealed record ScoreTerms(
    decimal Mrr,
    double RecentFailureRate,
    double FlipRate,
    double DaysSinceLastRun,
    bool New,
    bool Changed,
    double Likelihood,
    double ExpectedSeconds,
    double Score,
    MustRun MustRun);

/// <summary>The weights of the likelihood terms (ADR 0200 says why these).</summary>
public sealed record RiskWeights(double Floor, double Failures, double Flips, double Staleness, double Decay, double StaleAfterDays, double DefaultSeconds)
{
    public static RiskWeights Default { get; } = new(Floor: 0.01, Failures: 0.6, Flips: 0.3, Staleness: 0.1, Decay: 0.8, StaleAfterDays: 7, DefaultSeconds: 1);
}

/// <summary>
/// A test's score: the MRR it protects × its likelihood to fail ÷ its expected seconds, i.e. the
/// revenue at risk it checks per second of the budget. Pure, like <see cref="TestVerdict"/>.
/// </summary>
public static class RiskScore
{
    public static ScoreTerms Of(SelectionCandidate test, double expectedSeconds, DateTimeOffset now, RiskWeights weights)
    {
        var decided = test.Runs.Where(r => r.Outcome is TestOutcome.Passed or TestOutcome.Failed).ToList();
        // New: no result at all. A test only ever skipped has run; it is not new, just unproven.
        var isNew = test.Runs.Count == 0;
        var failures = DecayedFailureRate(decided, weights.Decay);
        var flips = decided.Count < 2 ? 0 : (double)decided.Zip(decided.Skip(1)).Count(p => p.First.Outcome != p.Second.Outcome) / (decided.Count - 1);
        var days = test.Runs.Count == 0 ? 0 : Math.Max(0, (now - test.Runs[0].RecordedAt).TotalDays);
        var stale = Math.Min(1, days / weights.StaleAfterDays);
        var likelihood = isNew || test.Changed
            ? 1
            : Math.Min(1, weights.Floor + (weights.Failures * failures) + (weights.Flips * flips) + (weights.Staleness * stale));
        var mrr = test.Quarantined ? 0m : test.Mrr;
        var score = (double)mrr * likelihood / expectedSeconds;
        var mustRun = test.Quarantined ? MustRun.No
            : isNew ? MustRun.New
            : decided.Count > 0 && decided[0].Outcome == TestOutcome.Failed ? MustRun.Failing
            : MustRun.No;
        return new ScoreTerms(mrr, failures, flips, days, isNew, test.Changed, likelihood, expectedSeconds, score, mustRun);
    }

    /// <summary>Failed share of the decided runs, the newest weighing most (weight decay^age).</summary>
    public static double DecayedFailureRate(IReadOnlyList<RecordedOutcome> decidedNewestFirst, double decay)
    {
        double failed = 0, total = 0, weight = 1;
        foreach (var run in decidedNewestFirst)
        {
            total += weight;
            failed += run.Outcome == TestOutcome.Failed ? weight : 0;
            weight *= decay;
        }

        return total == 0 ? 0 : failed / total;
    }

    /// <summary>
    /// The mean of the test's last five timed runs; without any, the median of the other tests'
    /// expectations (a new test is probably like its neighbours), else the configured default.
    /// </summary>
    public static double ExpectedSeconds(SelectionCandidate test, double? medianOfOthers, RiskWeights weights)
    {
        var timed = test.Runs.Where(r => r.Outcome is TestOutcome.Passed or TestOutcome.Failed).Take(5).Select(r => r.DurationSeconds).ToList();
        var seconds = timed.Count > 0 ? timed.Average() : medianOfOthers ?? weights.DefaultSeconds;
        // A millisecond floor: a test never costs nothing, and the score stays finite.
        return Math.Max(0.001, seconds);
    }
}
