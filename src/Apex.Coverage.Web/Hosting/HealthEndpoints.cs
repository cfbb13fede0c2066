using System.Text.Json;
using Apex.Coverage.Web.Data;
using Apex.Coverage.Web.Plan;
using Apex.Coverage.Web.Runs;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Apex.Coverage.Web.Hosting;

/// <summary>
/// /health/live answers 200 while the process serves requests (no dependency is asked, so a
/// load balancer never restarts a node for a database outage). /health/ready answers 200 only
/// when this node can do its work - the store, the job storage and a good plan import - and 503
/// otherwise, with each check's status and reason as JSON, so a load balancer routes around it.
/// </summary>
public static class HealthEndpoints
{
    public const string ReadyTag = "ready";

    public static IHostApplicationBuilder AddDashboardHealth(this IHostApplicationBuilder builder)
    {
        builder.Services.AddHealthChecks()
            .AddCheck<StoreHealthCheck>("store", tags: [ReadyTag])
            .AddCheck<JobStorageHealthCheck>("job-storage", tags: [ReadyTag])
            .AddCheck<PlanImportHealthCheck>("plan", tags: [ReadyTag]);
        return builder;
    }

    public static WebApplication MapDashboardHealth(this WebApplication app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteAsync });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains(ReadyTag), ResponseWriter = WriteAsync });
        return app;
    }

    private static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        var body = new
        {
            status = report.Status.ToString().ToLowerInvariant(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString().ToLowerInvariant(), description = e.Value.Description }),
        };
        return context.Response.WriteAsync(JsonSerializer.Serialize(body, JsonSerializerOptions.Web));
    }
}
