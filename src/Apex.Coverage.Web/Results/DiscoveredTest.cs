namespace Apex.Coverage.Web.Results;

/// <summary>
/// A test case as discovery (or an ingested result) made it known: its names, traits and the plan
/// items its PlanId traits map it to. One row per suite and fully qualified name.
/// </summary>
public sealed class DiscoveredTest
{
    public long Id { get; set; }

    public required string SuiteName { get; set; }

    public required string FullyQualifiedName { get; set; }

    public required string DisplayName { get; set; }

    /// <summary>The test assembly (for discovered tests) or the uploaded file name.</summary>
    public string? Source { get; set; }

    /// <summary>All traits as a JSON object of name → values.</summary>
    public string TraitsJson { get; set; } = "{}";

    /// <summary>Plan item numbers from the PlanId traits, as a comma-separated list ("1,2").</summary>
    public string PlanItems { get; set; } = string.Empty;

    public DateTimeOffset FirstSeenAt { get; set; }

    public DateTimeOffset LastSeenAt { get; set; }

    /// <summary>Set when the test was not found by the latest discovery of its suite.</summary>
    public bool Missing { get; set; }

    /// <summary>
    /// Set when discovery of the suite's own build described the test: its traits and plan items are
    /// then discovery's alone, and an upload can no longer change them (issue 15, ADR 0180).
    /// </summary>
    public bool MappedByDiscovery { get; set; }

    /// <summary>
    /// The plan items an upload claimed for a discovered test when they differ from discovery's
    /// ("1,2", or "" for none): a mapping conflict shown as a finding, never applied.
    /// </summary>
    public string? ClaimedPlanItems { get; set; }

    /// <summary>The run of the upload that made the latest <see cref="ClaimedPlanItems"/> claim.</summary>
    public long? ClaimedByRunId { get; set; }

    public DateTimeOffset? ClaimedAt { get; set; }
}
