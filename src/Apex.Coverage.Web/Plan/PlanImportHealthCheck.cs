using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Apex.Coverage.Web.Plan;

/// <summary>
/// Readiness: a plan has been imported, so coverage can be measured. A later import that was
/// rejected leaves the last good plan in place: the node still serves, degraded, and says why.
/// </summary>
internal sealed class PlanImportHealthCheck(PlanCatalog catalog) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(catalog switch
        {
            { Current: null } => HealthCheckResult.Unhealthy("No plan has been imported yet (Plan:Path), so coverage cannot be measured."),
            { PendingRejection: { } rejected } => HealthCheckResult.Degraded(
                $"The latest import of {rejected.Source} was rejected; version {catalog.Current.Version} is still served."),
            _ => HealthCheckResult.Healthy($"Plan version {catalog.Current.Version} is imported."),
        });
}
