namespace Apex.Coverage.Web.Results;

/// <summary>
/// One run of a suite's tests, wherever it ran: started from the dashboard, a schedule or the API
/// (and executed here), or run by CI and posted as a result file. Its results arrive one by one.
/// </summary>
public sealed class TestRun
{
    public long Id { get; set; }

    /// <summary>The configured suite it belongs to (the name in appsettings.json), or the CI-given name.</summary>
    public required string SuiteName { get; set; }

    public RunStatus Status { get; set; } = RunStatus.Queued;

    public RunSource Source { get; set; }

    /// <summary>What was asked for, as JSON (<see cref="RunSelection"/>); null means the whole suite.</summary>
    public string? SelectionJson { get; set; }

    /// <summary>The VSTest test case filter the selection became, for the record.</summary>
    public string? TestCaseFilter { get; set; }

    public bool CollectCoverage { get; set; }

    public string? Commit { get; set; }

    public string? Branch { get; set; }

    public string? BuildUrl { get; set; }

    /// <summary>The name of the API token that started or posted the run.</summary>
    public string? TokenName { get; set; }

    /// <summary>For CI uploads: the Idempotency-Key header, or a hash of the posted file.</summary>
    public string? IdempotencyKey { get; set; }

    /// <summary>
    /// For CI uploads: the SHA-256 of the file as stored, so an Idempotency-Key reused with another
    /// file is told apart from a retry of the same one (409, not the old run).
    /// </summary>
    public string? UploadSha256 { get; set; }

    /// <summary>
    /// The marker every process of an executed run carries in its environment
    /// (<see cref="Runs.RunProcessReaper"/>), kept so a restarted dashboard can end the processes of a
    /// run it marks interrupted.
    /// </summary>
    public string? ProcessMarker { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? StartedAt { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }

    public int Total { get; set; }

    public int Passed { get; set; }

    public int Failed { get; set; }

    public int Skipped { get; set; }

    /// <summary>Why the run ended as it did, in words a person can act on (build errors, crash, timeout).</summary>
    public string? Message { get; set; }

    /// <summary>The captured `dotnet build` output, when the run built the suite.</summary>
    public string? BuildLog { get; set; }

    /// <summary>
    /// The dashboard node executing the run (Nodes:Name), set when a node claims it: a restart or
    /// the death of that node ends only its own runs (RunRecovery).
    /// </summary>
    public string? Node { get; set; }

    public List<TestResult> Results { get; set; } = [];
}

public enum RunStatus
{
    Queued,
    Building,
    Running,
    Passed,
    Failed,
    Canceled,
    Aborted,
    Interrupted,
}

public enum RunSource
{
    Dashboard,
    Schedule,
    Api,
    Ci,
}
