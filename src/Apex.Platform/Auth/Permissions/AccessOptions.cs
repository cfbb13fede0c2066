using System.ComponentModel.DataAnnotations;

namespace Apex.Platform.Auth.Permissions;

/// <summary>How the per-instance access cache behaves when the auth store (PostgreSQL) fails.</summary>
public sealed class AccessOptions
{
    public const string SectionName = "Platform:Access";

    /// <summary>How old a cached grant may be and still authorize requests while the auth store is down.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00", ErrorMessage = "Platform:Access:FallbackMaxAge must be between 1 s and 1 day.")]
    public TimeSpan FallbackMaxAge { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Consecutive failures of the auth store (within the sampling window) that open the circuit.</summary>
    [Range(2, 1000, ErrorMessage = "Platform:Access:FailuresToBreak must be between 2 and 1000.")]
    public int FailuresToBreak { get; set; } = 3;

    [Range(typeof(TimeSpan), "00:00:01", "01:00:00", ErrorMessage = "Platform:Access:BreakDuration must be between 1 s and 1 hour.")]
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(30);
}
