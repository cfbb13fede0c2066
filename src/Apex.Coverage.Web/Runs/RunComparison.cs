using Apex.Coverage.Web.Results;

namespace Apex.Coverage.Web.Runs;

/// <summary>How one test changed between two runs; an outcome is null where the run did not have the test.</summary>
public sealed record ComparedTest(
    string FullyQualifiedName, string DisplayName, TestOutcome? Before, TestOutcome? After, double? BeforeSeconds, double? AfterSeconds)
{
    public double DeltaSeconds => (AfterSeconds ?? 0) - (BeforeSeconds ?? 0);
}

/// <summary>
/// A run against an earlier one (ReportPortal's and Azure DevOps' "compare"): tests that fail now
/// and did not before (new failures, a new failing test included), that pass now after failing
/// (fixed), that fail in both, that only this run has (new tests) or only the other one has (gone),
/// and the largest duration changes.
/// </summary>
public sealed record RunComparison(
    IReadOnlyList<ComparedTest> NewFailures, IReadOnlyList<ComparedTest> Fixed, IReadOnlyList<ComparedTest> StillFailing,
    IReadOnlyList<ComparedTest> NewTests, IReadOnlyList<ComparedTest> Gone, IReadOnlyList<ComparedTest> DurationChanges)
{
    /// <summary>A duration change counts when it is at least this many seconds and at least half as long again (or half as short).</summary>
    public const double MinimumDeltaSeconds = 0.5;

    public const int MaximumDurationChanges = 10;

    public static RunComparison Of(IEnumerable<TestResult> baseline, IEnumerable<TestResult> current)
    {
        var before = ByTest(baseline);
        var after = ByTest(current);
        var both = after.Keys.Where(before.ContainsKey).Select(k => Pair(before[k], after[k])).ToList();
        return new RunComparison(
            [.. after.Where(a => IsFailure(a.Value.Outcome) && !(before.TryGetValue(a.Key, out var b) && IsFailure(b.Outcome))).Select(a => Pair(before.GetValueOrDefault(a.Key), a.Value))],
            [.. both.Where(t => IsFailure(t.Before) && t.After == TestOutcome.Passed)],
            [.. both.Where(t => IsFailure(t.Before) && IsFailure(t.After))],
            [.. after.Where(a => !before.ContainsKey(a.Key)).Select(a => Pair(null, a.Value))],
            [.. before.Where(b => !after.ContainsKey(b.Key)).Select(b => Pair(b.Value, null))],
            [.. both.Where(IsDurationChange).OrderByDescending(t => Math.Abs(t.DeltaSeconds)).Take(MaximumDurationChanges)]);
    }

    public bool IsEmpty => NewFailures.Count + Fixed.Count + StillFailing.Count + NewTests.Count + Gone.Count + DurationChanges.Count == 0;

    private static bool IsFailure(TestOutcome? outcome) => outcome is TestOutcome.Failed or TestOutcome.NotFound;

    private static bool IsDurationChange(ComparedTest test)
    {
        var shorter = Math.Min(test.BeforeSeconds ?? 0, test.AfterSeconds ?? 0);
        var longer = Math.Max(test.BeforeSeconds ?? 0, test.AfterSeconds ?? 0);
        return longer - shorter >= MinimumDeltaSeconds && longer >= shorter * 1.5;
    }

    // A theory's rows share a fully qualified name; the display name tells them apart.
    private static Dictionary<string, TestResult> ByTest(IEnumerable<TestResult> results)
    {
        var byTest = new Dictionary<string, TestResult>(StringComparer.Ordinal);
        foreach (var result in results)
        {
            byTest[$"{result.FullyQualifiedName}\n{result.DisplayName}"] = result;
        }

        return byTest;
    }

    private static ComparedTest Pair(TestResult? before, TestResult? after)
    {
        var any = after ?? before!;
        return new ComparedTest(any.FullyQualifiedName, any.DisplayName, before?.Outcome, after?.Outcome, before?.DurationSeconds, after?.DurationSeconds);
    }
}
