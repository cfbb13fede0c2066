using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Apex.Platform.Resilience.Health;

/// <summary>One service's health as it reports it: the worst of its checks, and each check.</summary>
public sealed record ServiceHealth(string Service, HealthStatus Status, IReadOnlyList<CheckHealth> Checks)
{
    public static ServiceHealth From(string service, HealthReport report) => new(service, report.Status,
        [.. report.Entries.OrderBy(e => e.Key).Select(e => new CheckHealth(e.Key, e.Value.Status, e.Value.Description ?? e.Value.Exception?.Message))]);
}

public sealed record CheckHealth(string Name, HealthStatus Status, string? Description);

/// <summary>The fleet at one moment: the worst status of any service, and every service's report.</summary>
public sealed record HealthOverview(HealthStatus Status, IReadOnlyList<ServiceHealth> Services, DateTimeOffset CheckedAt);
