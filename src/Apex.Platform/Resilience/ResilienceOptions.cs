using System.ComponentModel.DataAnnotations;

namespace Apex.Platform.Resilience;

/// <summary>What every resilience component needs to know about the process it runs in.</summary>
public sealed class ResilienceOptions
{
    public const string SectionName = "Platform:Resilience";

    /// <summary>The service this process is, as it appears in error groups, health reports and alerts.</summary>
    [Required(ErrorMessage = "Platform:Resilience:ServiceName is required (e.g. orders).")]
    [RegularExpression("^[a-z][a-z0-9-]*$", ErrorMessage = "Platform:Resilience:ServiceName must be lower-case letters, digits and dashes.")]
    public string ServiceName { get; set; } = "apex";

    /// <summary>True when a capability's configuration section is present: capabilities that need an address are opt-in.</summary>
    public static bool Configured(IConfiguration configuration, string section) => configuration.GetSection(section).Exists();
}
