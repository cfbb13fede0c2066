using System.ComponentModel.DataAnnotations;

namespace Apex.Platform.Auth.Permissions;

/// <summary>How the per-instance access cache behaves when the auth store (PostgreSQL) fails.</summary>
public sealed class AccessOptions
{
    public const string SectionName = "Platform:Access";

    /// <summary>How old a cached grant may be and still authorize requests while the auth store is down.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00", ErrorMessage = "Platform:Access:FallbackMaxAge must be between 1 s and 1 day.")]
    public TimeSpan FallbackMaxAge { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Calls to the auth store within a minute before the circuit may open at all.</summary>
    [Range(2, 1000, ErrorMessage = "Platform:Access:MinimumThroughput must be between 2 and 1000.")]
    public int MinimumThroughput { get; set; } = 5;

    /// <summary>The share of those calls that must have failed for the circuit to open.</summary>
    [Range(0.01, 1.0, ErrorMessage = "Platform:Access:FailureRatio must be between 0.01 and 1.")]
    public double FailureRatio { get; set; } = 0.5;

    [Range(typeof(TimeSpan), "00:00:01", "01:00:00", ErrorMessage = "Platform:Access:BreakDuration must be between 1 s and 1 hour.")]
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(30);
}
