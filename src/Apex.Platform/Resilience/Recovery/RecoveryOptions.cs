namespace Apex.Platform.Resilience.Recovery;

/// <summary>The recovery time objective and how often the stores are probed to measure against it.</summary>
public sealed class RecoveryOptions
{
    public const string SectionName = "Platform:Resilience:Recovery";

    /// <summary>The RTO: the longest a store may stay lost, from first failed probe to first good one.</summary>
    public TimeSpan Objective { get; set; } = TimeSpan.FromSeconds(60);

    public TimeSpan ProbeInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(2);

    public static bool IsValid(RecoveryOptions options) =>
        options.Objective > TimeSpan.Zero && options.ProbeInterval > TimeSpan.Zero && options.ProbeTimeout > TimeSpan.Zero;

    public const string Invalid = "Platform:Resilience:Recovery: Objective, ProbeInterval and ProbeTimeout must be positive.";
}

/// <summary>One outage of one store: when it was detected, when service was back, and the verdict against the RTO.</summary>
public sealed record RecoveryIncident(string Dependency, DateTimeOffset DetectedAt, DateTimeOffset? RecoveredAt, double? RecoverySeconds, bool? WithinObjective);

/// <summary>A store's state now and its outages so far.</summary>
public sealed record DependencyRecovery(string Dependency, string State, IReadOnlyList<RecoveryIncident> Incidents);
