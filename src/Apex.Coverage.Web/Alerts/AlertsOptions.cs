using System.ComponentModel.DataAnnotations;

namespace Apex.Coverage.Web.Alerts;

/// <summary>Which branch alerts watch and how deliveries are retried (section "Alerts").</summary>
public sealed class AlertsOptions
{
    public const string SectionName = "Alerts";

    /// <summary>Runs on this branch (and runs without a branch: the dashboard's own) are judged; others are not.</summary>
    [Required(AllowEmptyStrings = false, ErrorMessage = "Alerts:DefaultBranch must name a branch, e.g. main.")]
    public string DefaultBranch { get; set; } = "main";

    /// <summary>The dashboard's public address, for links in alerts (none when unset).</summary>
    [Url(ErrorMessage = "Alerts:DashboardUrl must be an absolute URL, e.g. https://apex.example.com.")]
    public string? DashboardUrl { get; set; }

    /// <summary>Attempts per delivery, the first included.</summary>
    [Range(1, 20, ErrorMessage = "Alerts:MaxAttempts must be between 1 and 20.")]
    public int MaxAttempts { get; set; } = 5;

    /// <summary>Wait before the first retry; each next one doubles (with jitter).</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "01:00:00", ErrorMessage = "Alerts:FirstRetryDelay must be between 1 ms and 1 h.")]
    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long one attempt may take.</summary>
    [Range(typeof(TimeSpan), "00:00:00.1", "00:05:00", ErrorMessage = "Alerts:AttemptTimeout must be between 0.1 s and 5 min.")]
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
