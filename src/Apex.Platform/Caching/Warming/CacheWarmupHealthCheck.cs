using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Apex.Platform.Caching.Warming;

/// <summary>The readiness signal: unhealthy until the critical entries are warm, and naming what is not.</summary>
internal sealed class CacheWarmupHealthCheck(WarmupMonitor monitor) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var status = monitor.Current;
        var data = new Dictionary<string, object>
        {
            ["run"] = status.Run,
            ["warmed"] = status.Warmed.Count,
            ["total"] = status.Total,
            ["notWarmed"] = status.Failed.Select(f => $"{f.Key}: {f.Reason}").ToArray(),
        };
        var result = status.Ready
            ? HealthCheckResult.Healthy($"{status.Warmed.Count} of {status.Total} cache entries warm", data)
            : HealthCheckResult.Unhealthy($"cache warm-up run {status.Run}: critical entries not warm", data: data);
        return Task.FromResult(result);
    }
}
