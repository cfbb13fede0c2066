using System.ComponentModel.DataAnnotations;

namespace Apex.Coverage.Web.Ingestion;

public sealed class IngestionOptions
{
    public const string SectionName = "Ingestion";

    /// <summary>
    /// The largest result file accepted, in bytes, counted after decompression too, so a small
    /// gzip body that inflates past it (a gzip bomb) is refused the same way.
    /// </summary>
    [Range(1024, 2L * 1024 * 1024 * 1024, ErrorMessage = "Ingestion:MaxBodyBytes must be between 1024 and 2147483648 (default 52428800, 50 MB).")]
    public long MaxBodyBytes { get; set; } = 50L * 1024 * 1024;

    /// <summary>
    /// The suite an upload belongs to when the request names none (`?suite=`). Unset, it is
    /// Runs:DefaultSuite, else the only suite configured under "Suites", else "L2" — so CI results and dashboard runs of the
    /// one configured suite meet without extra configuration.
    /// </summary>
    [Required(ErrorMessage = "Ingestion:DefaultSuite is required, for example \"L2\".")]
    [StringLength(200, MinimumLength = 1, ErrorMessage = "Ingestion:DefaultSuite must be 1 to 200 characters.")]
    public string? DefaultSuite { get; set; }

    /// <summary>
    /// When false (the default), an upload naming a suite that is neither configured under "Suites"
    /// nor the default suite is refused, so a misspelt name cannot silently start a new suite.
    /// </summary>
    public bool AllowUnknownSuites { get; set; }

    internal const string FallbackSuite = "L2";
}
