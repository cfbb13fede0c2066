using System.ComponentModel.DataAnnotations;

namespace Apex.Platform.Resilience.Retries;

/// <summary>Where transfers are written (the ledger service) and how writes to it are retried.</summary>
public sealed class RetryOptions
{
    public const string SectionName = "Platform:Resilience:Retry";

    [Required(ErrorMessage = "Platform:Resilience:Retry:Ledger is required (the ledger service's URL).")]
    [Url(ErrorMessage = "Platform:Resilience:Retry:Ledger must be an absolute URL.")]
    public string Ledger { get; set; } = string.Empty;

    [Range(0, 10, ErrorMessage = "Platform:Resilience:Retry:MaxRetryAttempts must be between 0 and 10.")]
    public int MaxRetryAttempts { get; set; } = 4;

    /// <summary>The first retry waits between half of this and this; each further retry doubles both.</summary>
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(30);
}
