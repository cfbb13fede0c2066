using System.ComponentModel.DataAnnotations;

namespace Apex.Platform.Scheduling;

/// <summary>
/// The platform's scheduler: how often each instance looks for due jobs. Every instance may run
/// it; a PostgreSQL advisory lock per job makes one of them do each due run.
/// </summary>
public sealed class SchedulingOptions
{
    public const string SectionName = "Platform:Scheduling";

    /// <summary>Off leaves the jobs to be run by hand (tests that drive a job directly turn it off).</summary>
    public bool Enabled { get; set; } = true;

    [Range(typeof(TimeSpan), "00:00:01", "00:10:00", ErrorMessage = "Platform:Scheduling:Tick must be between 1 s and 10 min.")]
    public TimeSpan Tick { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How this instance signs the runs it makes; by default host, process and a random part.</summary>
    public string? InstanceName { get; set; }
}
