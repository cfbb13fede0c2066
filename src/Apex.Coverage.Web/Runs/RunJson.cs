using Apex.Coverage.Web.Results;
namespace Apex.Coverage.Web.Runs;

public sealed record RunCountsJson(int Total, int Passed, int Failed, int Skipped);

public sealed record RunSummaryJson(
    long Id, string Suite, string Status, string Source, RunCountsJson Counts,
    DateTimeOffset CreatedAt, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt,
    string Selection, string? TestCaseFilter, bool CollectCoverage, string? Commit, string? Branch, string? Message,
    string? BuildUrl);

public sealed record RunResultJson(
    string Key, string FullyQualifiedName, string DisplayName, string Outcome, double DurationSeconds,
    string? ErrorMessage, string? StackTrace, string? Output, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt);

public sealed record RunDetailJson(
    long Id, string Suite, string Status, string Source, RunCountsJson Counts,
    DateTimeOffset CreatedAt, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt,
    string Selection, string? TestCaseFilter, bool CollectCoverage, string? Commit, string? Branch, string? Message,
    string? BuildUrl, string? BuildLog, object? CodeCoverage, IReadOnlyList<RunResultJson> Results);

/// <summary>The API's shape of runs and results: statuses, sources and outcomes in lower case.</summary>
public static class RunJson
{
    public static string Lower<T>(T value) where T : struct, Enum => value.ToString().ToLowerInvariant();

    public static RunSummaryJson Summary(TestRun run) => new(
        run.Id, run.SuiteName, Lower(run.Status), Lower(run.Source), Counts(run),
        run.CreatedAt, run.StartedAt, run.FinishedAt, DescribeSelection(run), run.TestCaseFilter, run.CollectCoverage,
        run.Commit, run.Branch, run.Message, run.BuildUrl);

    public static RunDetailJson Detail(TestRun run, IEnumerable<TestResult> results, object? codeCoverage = null) => new(
        run.Id, run.SuiteName, Lower(run.Status), Lower(run.Source), Counts(run),
        run.CreatedAt, run.StartedAt, run.FinishedAt, DescribeSelection(run), run.TestCaseFilter, run.CollectCoverage,
        run.Commit, run.Branch, run.Message, run.BuildUrl, run.BuildLog, codeCoverage, [.. results.Select(Result)]);

    public static RunResultJson Result(TestResult r) => new(
        r.ResultKey, r.FullyQualifiedName, r.DisplayName, Lower(r.Outcome), r.DurationSeconds,
        r.ErrorMessage, r.StackTrace, r.Output, r.StartedAt, r.FinishedAt);

    public static string DescribeSelection(TestRun run) =>
        run.Source == RunSource.Ci ? "ci upload" : (StoredSelectionOrNull(run.SelectionJson)?.Asked ?? RunSelection.WholeSuite).Describe();

    private static StoredSelection? StoredSelectionOrNull(string? json)
    {
        try
        {
            return StoredSelection.FromJson(json);
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    private static RunCountsJson Counts(TestRun run) => new(run.Total, run.Passed, run.Failed, run.Skipped);
}
