using System.ComponentModel.DataAnnotations;

namespace Apex.Platform.Resilience.ErrorRates;

/// <summary>The notification sender's provider, its error-rate threshold, and where alerts go.</summary>
public sealed class ErrorRateOptions
{
    public const string SectionName = "Platform:Resilience:ErrorRate";

    [Required(ErrorMessage = "Platform:Resilience:ErrorRate:Provider is required (the notification provider's URL).")]
    [Url(ErrorMessage = "Platform:Resilience:ErrorRate:Provider must be an absolute URL.")]
    public string Provider { get; set; } = string.Empty;

    [Required(ErrorMessage = "Platform:Resilience:ErrorRate:AlertWebhook is required (where alerts are posted).")]
    [Url(ErrorMessage = "Platform:Resilience:ErrorRate:AlertWebhook must be an absolute URL.")]
    public string AlertWebhook { get; set; } = string.Empty;

    /// <summary>Failures ÷ calls at or above which the work is shed.</summary>
    [Range(0.01, 1.0, ErrorMessage = "Platform:Resilience:ErrorRate:Threshold must be between 0.01 and 1.")]
    public double Threshold { get; set; } = 0.5;

    [Range(2, 100_000, ErrorMessage = "Platform:Resilience:ErrorRate:MinimumCalls must be at least 2.")]
    public int MinimumCalls { get; set; } = 10;

    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);

    public TimeSpan ShedFor { get; set; } = TimeSpan.FromSeconds(30);
}
