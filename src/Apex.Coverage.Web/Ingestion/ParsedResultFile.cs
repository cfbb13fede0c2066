using Apex.Coverage.Web.Results;
using Apex.Coverage.Web.Runs;

namespace Apex.Coverage.Web.Ingestion;

public enum ResultFileFormat
{
    Trx,
    JUnit,
}

/// <summary>One test result as read from a file, before it becomes a <see cref="TestResult"/> row.</summary>
public sealed record ParsedResult(
    string ResultKey,
    string FullyQualifiedName,
    string DisplayName,
    TestOutcome Outcome,
    double DurationSeconds,
    string? ErrorMessage = null,
    string? StackTrace = null,
    string? Output = null,
    DateTimeOffset? StartedAt = null,
    DateTimeOffset? FinishedAt = null);

/// <summary>
/// A whole result file: its results (theory rows each on their own) and, for each fully qualified
/// name the file gave traits for, those traits (name → values).
/// </summary>
public sealed record ParsedResultFile(
    ResultFileFormat Format,
    IReadOnlyList<ParsedResult> Results,
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, IReadOnlyList<string>>> Traits)
{
    public int Passed => Results.Count(r => r.Outcome == TestOutcome.Passed);

    public int Failed => Results.Count(r => r.Outcome == TestOutcome.Failed);

    public int Skipped => Results.Count(r => r.Outcome is TestOutcome.Skipped or TestOutcome.NotFound);

    /// <summary>Results whose names were longer than <see cref="ResultLimits.MaxNameLength"/> and were cut.</summary>
    public int NamesCut { get; init; }

    /// <summary>Results whose durations were above <see cref="ResultLimits.MaxDuration"/> and were clamped.</summary>
    public int DurationsClamped { get; init; }
}

/// <summary>
/// A result upload that cannot be taken, with a message for the person reading the CI log; the
/// API answers it as problem details with <see cref="StatusCode"/>.
/// </summary>
public sealed class ResultFileException(int statusCode, string title, string detail, Exception? inner = null)
    : Exception(detail, inner)
{
    public int StatusCode { get; } = statusCode;

    public string Title { get; } = title;

    public static ResultFileException BadFile(string title, string detail, Exception? inner = null) =>
        new(StatusCodes.Status400BadRequest, title, detail, inner);

    public static ResultFileException TooManyResults(int max) =>
        new(StatusCodes.Status413PayloadTooLarge, "Too many results in one file",
            $"The file holds more than {max} test results (setting Ingestion:MaxResultsPerFile). Split the test run into several uploads, "
            + "or raise the limit on the dashboard.");
}
