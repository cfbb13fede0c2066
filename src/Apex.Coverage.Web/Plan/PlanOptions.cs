using System.ComponentModel.DataAnnotations;

namespace Apex.Coverage.Web.Plan;

public sealed class PlanOptions
{
    public const string SectionName = "Plan";

    /// <summary>The plan file; a relative path is taken from the content root (the repo root).</summary>
    [Required(ErrorMessage = "Plan:Path is required, for example \"plan/L2_TEST_PLAN.md\".")]
    public string Path { get; set; } = "plan/L2_TEST_PLAN.md";

    /// <summary>Import the file when the app starts (the last stored version is loaded either way).</summary>
    public bool ImportOnStart { get; set; } = true;

    /// <summary>Watch the file and import it again when it changes.</summary>
    public bool Watch { get; set; } = true;

    /// <summary>Quiet period after the last change before importing: editors save in several writes.</summary>
    [Range(0, 60_000, ErrorMessage = "Plan:DebounceMilliseconds must be between 0 and 60000.")]
    public int DebounceMilliseconds { get; set; } = 500;
}
