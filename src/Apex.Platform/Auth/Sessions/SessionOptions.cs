using System.ComponentModel.DataAnnotations;

namespace Apex.Platform.Auth.Sessions;

/// <summary>How long login sessions live and how many devices one user may keep signed in.</summary>
public sealed class LoginSessionOptions
{
    public const string SectionName = "Platform:Sessions";

    [Range(1, 100, ErrorMessage = "Platform:Sessions:MaxSessionsPerUser must be between 1 and 100.")]
    public int MaxSessionsPerUser { get; set; } = 10;

    [Range(typeof(TimeSpan), "00:01:00", "90.00:00:00", ErrorMessage = "Platform:Sessions:IdleTimeout must be between 1 minute and 90 days.")]
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromDays(14);
}
