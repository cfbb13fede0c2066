namespace Apex.Coverage.Web.Results;

/// <summary>
/// One test's outcome in one run. <see cref="ResultKey"/> is unique within the run: theory rows
/// share a fully qualified name, so the key is the execution id (or the display name) instead.
/// </summary>
public sealed class TestResult
{
    public long Id { get; set; }

    public long RunId { get; set; }

    public required string ResultKey { get; set; }

    /// <summary>
    /// The run's suite, copied here because a test is its suite and its fully qualified name: the
    /// history of one test reads one index. Filled from the run when a result is saved through
    /// <see cref="TestRun.Results"/>.
    /// </summary>
    public string SuiteName { get; set; } = string.Empty;

    /// <summary>Namespace.Class.Method — the name CI results and dashboard runs meet on.</summary>
    public required string FullyQualifiedName { get; set; }

    public required string DisplayName { get; set; }

    public TestOutcome Outcome { get; set; }

    public double DurationSeconds { get; set; }

    public string? ErrorMessage { get; set; }

    public string? StackTrace { get; set; }

    public string? Output { get; set; }

    public DateTimeOffset? StartedAt { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }

    /// <summary>The run's commit, copied here so flakiness (pass and fail on one commit) reads one table.</summary>
    public string? Commit { get; set; }

    public DateTimeOffset RecordedAt { get; set; }
}

public enum TestOutcome
{
    Passed,
    Failed,
    Skipped,
    NotFound,
}
