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

    /// <summary>
    /// The most test results one file may hold; a file with more is refused (413) while it is read,
    /// before its results fill memory. 200,000 is ten times the largest suite seen here.
    /// </summary>
    [Range(1, 10_000_000, ErrorMessage = "Ingestion:MaxResultsPerFile must be between 1 and 10000000 (default 200000).")]
    public int MaxResultsPerFile { get; set; } = 200_000;

    /// <summary>
    /// The slowest an upload body may arrive, in bytes per second after <see cref="BodyGracePeriod"/>;
    /// a slower (trickled) body is answered 408 with problem details and nothing is stored.
    /// </summary>
    [Range(1, 100L * 1024 * 1024, ErrorMessage = "Ingestion:MinBodyBytesPerSecond must be between 1 and 104857600 (default 240).")]
    public double MinBodyBytesPerSecond { get; set; } = 240;

    /// <summary>How long an upload body may arrive slower than <see cref="MinBodyBytesPerSecond"/> (Kestrel needs more than 1 s).</summary>
    [Range(typeof(TimeSpan), "00:00:01.1", "01:00:00", ErrorMessage = "Ingestion:BodyGracePeriod must be more than 00:00:01 and at most 01:00:00 (default 00:00:05).")]
    public TimeSpan BodyGracePeriod { get; set; } = TimeSpan.FromSeconds(5);

    internal const string FallbackSuite = "L2";
}
