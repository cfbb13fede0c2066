using Apex.Coverage.Web.Results;

namespace Apex.Coverage.Web.Runs;

/// <summary>Which results of a run a reader asked to see.</summary>
public enum OutcomeFilter
{
    All,
    Failed,
    Passed,
    Skipped,
}

/// <summary>
/// A run's results as the run page lists them: failures first (what a reader opens the page for),
/// then tests that were not found, skipped, passed; each group by name. Filtered by outcome and by
/// a text found in the name or the error message.
/// </summary>
public static class RunResultView
{
    public static IReadOnlyList<TestResult> Select(IEnumerable<TestResult> results, OutcomeFilter outcome, string? text) =>
    [
        .. results
            .Where(r => Matches(r.Outcome, outcome) && Contains(r, text))
            .OrderBy(r => Rank(r.Outcome))
            .ThenBy(r => r.DisplayName, StringComparer.OrdinalIgnoreCase)
            .ThenBy(r => r.ResultKey, StringComparer.Ordinal),
    ];

    public static int Count(IEnumerable<TestResult> results, OutcomeFilter outcome) => results.Count(r => Matches(r.Outcome, outcome));

    /// <summary>"Failed" holds the tests that did not pass for a reason to look at: failed, or not found when asked for.</summary>
    public static bool Matches(TestOutcome outcome, OutcomeFilter filter) => filter switch
    {
        OutcomeFilter.Failed => outcome is TestOutcome.Failed or TestOutcome.NotFound,
        OutcomeFilter.Passed => outcome == TestOutcome.Passed,
        OutcomeFilter.Skipped => outcome == TestOutcome.Skipped,
        _ => true,
    };

    private static int Rank(TestOutcome outcome) => outcome switch
    {
        TestOutcome.Failed => 0,
        TestOutcome.NotFound => 1,
        TestOutcome.Skipped => 2,
        _ => 3,
    };

    private static bool Contains(TestResult result, string? text) =>
        string.IsNullOrWhiteSpace(text)
        || result.DisplayName.Contains(text.Trim(), StringComparison.OrdinalIgnoreCase)
        || result.FullyQualifiedName.Contains(text.Trim(), StringComparison.OrdinalIgnoreCase)
        || (result.ErrorMessage?.Contains(text.Trim(), StringComparison.OrdinalIgnoreCase) ?? false);
}
