using System.ComponentModel.DataAnnotations;

namespace Apex.Coverage.Web.Runs;

/// <summary>This node among the nodes sharing one store (README, "Several nodes").</summary>
public sealed class NodeOptions : IValidatableObject
{
    public const string SectionName = "Nodes";

    /// <summary>
    /// The node's name, the same after a restart and different from every other node's: the runs
    /// it executes carry it, so its restart ends its own runs and no one else's.
    /// </summary>
    [Required(ErrorMessage = "Nodes:Name is required (the machine name when not set).")]
    [MaxLength(200, ErrorMessage = "Nodes:Name is at most 200 characters.")]
    public string Name { get; set; } = Environment.MachineName;

    /// <summary>How often the node writes its heartbeat and looks for dead nodes.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>A node whose heartbeat is older than this is dead: a survivor interrupts its runs.</summary>
    public TimeSpan DeadAfter { get; set; } = TimeSpan.FromSeconds(30);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (HeartbeatInterval <= TimeSpan.Zero)
        {
            yield return new ValidationResult("Nodes:HeartbeatInterval must be positive, for example 00:00:05.", [nameof(HeartbeatInterval)]);
        }
        else if (DeadAfter < 2 * HeartbeatInterval)
        {
            yield return new ValidationResult(
                $"Nodes:DeadAfter ({DeadAfter}) must be at least twice Nodes:HeartbeatInterval ({HeartbeatInterval}), or a slow beat reads as a dead node.",
                [nameof(DeadAfter)]);
        }
    }
}
