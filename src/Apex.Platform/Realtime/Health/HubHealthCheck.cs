using Apex.Platform.Realtime.Hub;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Apex.Platform.Realtime.Health;

/// <summary>
/// The hub's health: Degraded while any connection is stalled (its ping unanswered past
/// StallAfter) or while the instance is draining for shutdown, Healthy otherwise; the data
/// carries the counts either way.
/// </summary>
internal sealed class HubHealthCheck(HubRegistry registry, HeartbeatStats heartbeats, HubInstance instance) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var stalled = heartbeats.Stalled();
        var data = new Dictionary<string, object>
        {
            ["instance"] = instance.Id,
            ["connections"] = registry.Count,
            ["stalled"] = stalled,
            ["slowestRoundTripMs"] = heartbeats.SlowestRoundTrip()?.TotalMilliseconds ?? 0,
        };
        var result = !instance.Accepting ? HealthCheckResult.Degraded("Draining for shutdown.", data: data)
            : stalled > 0 ? HealthCheckResult.Degraded($"{stalled} connection(s) stalled: ping unanswered.", data: data)
            : HealthCheckResult.Healthy($"{registry.Count} connection(s).", data);
        return Task.FromResult(result);
    }
}
