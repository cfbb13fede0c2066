using Hangfire;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Apex.Coverage.Web.Runs;

/// <summary>Readiness: the job storage (in memory, or the shared PostgreSQL queue) answers.</summary>
internal sealed class JobStorageHealthCheck(JobStorage storage) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            // Hangfire's storage API is synchronous; this is one short read.
            var servers = storage.GetMonitoringApi().Servers().Count;
            return Task.FromResult(HealthCheckResult.Healthy($"The job storage answers; {servers} job servers are registered."));
        }
        catch (Exception error)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy($"The job storage does not answer: {error.Message}", error));
        }
    }
}
