using Apex.Coverage.Web.Results;
using Apex.Coverage.Web.Runs;

namespace Apex.Coverage.Web.Analytics;

/// <summary>What a test's status is, by the shared precedence: failing, flaky, not-run, passing.</summary>
public enum TestStatus
{
    Passing,
    NotRun,
    Flaky,
    Failing,
    Quarantined,
}

/// <summary>One stored result of a test, as the analytics read it (newest first in a history).</summary>
public sealed record RecordedOutcome(
    long RunId, TestOutcome Outcome, string? Commit, double DurationSeconds, string? ErrorMessage, DateTimeOffset RecordedAt);

/// <summary>
/// A test's standing from its latest results. Results are first folded to one per run (theory rows
/// of one run are one result: failed if any row failed), so a theory with a failing row is neither
/// a flip nor a same-commit conflict. Skipped and not-found results are no evidence either way:
/// they are left out of the flip count.
/// </summary>
public sealed record TestVerdict(
    TestOutcome? LatestOutcome,
    double? LatestDurationSeconds,
    int Results,
    int Flips,
    double FlipRate,
    bool SameCommitConflict,
    bool Flaky,
    TestStatus Status)
{
    public static TestVerdict NeverRun { get; } = new(null, null, 0, 0, 0, false, false, TestStatus.NotRun);

    /// <summary>Judges a history given newest first (any number of rows per run).</summary>
    public static TestVerdict Judge(IReadOnlyList<RecordedOutcome> newestFirst, FlakinessRule rule, bool quarantined = false)
    {
        var runs = PerRun(newestFirst).Take(rule.Window).ToList();
        if (runs.Count == 0)
        {
            return quarantined ? NeverRun with { Status = TestStatus.Quarantined } : NeverRun;
        }

        var decided = runs.Where(r => r.Outcome is TestOutcome.Passed or TestOutcome.Failed).ToList();
        var flips = decided.Zip(decided.Skip(1)).Count(p => p.First.Outcome != p.Second.Outcome);
        var flipRate = decided.Count < 2 ? 0 : (double)flips / (decided.Count - 1);
        var conflict = decided.Where(r => !string.IsNullOrEmpty(r.Commit))
            .GroupBy(r => r.Commit, StringComparer.Ordinal)
            .Any(g => g.Select(r => r.Outcome).Distinct().Count() > 1);
        var flaky = conflict || (flips >= rule.MinimumFlips && flipRate >= rule.FlipRateThreshold);
        var latest = runs[0];
        var status = quarantined ? TestStatus.Quarantined : StatusOf(latest.Outcome, flaky);
        return new TestVerdict(latest.Outcome, latest.DurationSeconds, runs.Count, flips, flipRate, conflict, flaky, status);
    }

    private static TestStatus StatusOf(TestOutcome latest, bool flaky) => latest switch
    {
        TestOutcome.Failed => TestStatus.Failing,
        _ when flaky => TestStatus.Flaky,
        TestOutcome.Passed => TestStatus.Passing,
        _ => TestStatus.NotRun,
    };

    /// <summary>One result per run, newest run first: failed beats passed beats skipped; durations add up.</summary>
    public static IEnumerable<RecordedOutcome> PerRun(IReadOnlyList<RecordedOutcome> newestFirst)
    {
        var i = 0;
        while (i < newestFirst.Count)
        {
            var first = newestFirst[i];
            var j = i;
            var outcome = first.Outcome;
            var duration = 0d;
            string? error = null;
            for (; j < newestFirst.Count && newestFirst[j].RunId == first.RunId; j++)
            {
                outcome = Stronger(outcome, newestFirst[j].Outcome);
                duration += newestFirst[j].DurationSeconds;
                error ??= newestFirst[j].Outcome == TestOutcome.Failed ? newestFirst[j].ErrorMessage : null;
            }

            yield return first with { Outcome = outcome, DurationSeconds = duration, ErrorMessage = error };
            i = j;
        }
    }

    private static TestOutcome Stronger(TestOutcome a, TestOutcome b) => Rank(a) >= Rank(b) ? a : b;

    private static int Rank(TestOutcome outcome) => outcome switch
    {
        TestOutcome.Failed => 3,
        TestOutcome.Passed => 2,
        TestOutcome.Skipped => 1,
        _ => 0,
    };
}
