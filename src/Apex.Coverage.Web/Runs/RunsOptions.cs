using System.ComponentModel.DataAnnotations;

namespace Apex.Coverage.Web.Runs;

public sealed class RunsOptions
{
    public const string SectionName = "Runs";

    /// <summary>The suite a request that names none runs; the first configured suite when empty.</summary>
    public string? DefaultSuite { get; set; }

    /// <summary>How long a cooperative cancel may take before the test host is aborted.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00", ErrorMessage = "Runs:CancelGracePeriod must be between 00:00:00.100 and 01:00:00.")]
    public TimeSpan CancelGracePeriod { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Where the schedule edits made in the dashboard are kept, relative to the content root.</summary>
    [Required(ErrorMessage = "Runs:ScheduleEditsPath is required, for example \"data/schedules.json\".")]
    public string ScheduleEditsPath { get; set; } = "data/schedules.json";

    /// <summary>
    /// From how many tests a run has its results sent in groups (RunConfiguration/BatchSize
    /// <see cref="VsTest.RunSettingsXml.GroupedBatchSize"/>, as `dotnet test` does) rather than each
    /// on its own. One message per result made a run of 4,160 fast tests trail its test host by
    /// seconds; a smaller run keeps one per result, so a crashing host takes no finished result
    /// with it (ADR 0231).
    /// </summary>
    [Range(1, int.MaxValue, ErrorMessage = "Runs:GroupResultsFromTests must be at least 1.")]
    public int GroupResultsFromTests { get; set; } = 1000;
}
