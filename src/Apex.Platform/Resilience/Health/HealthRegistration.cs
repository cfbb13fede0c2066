using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Npgsql;
using StackExchange.Redis;

namespace Apex.Platform.Resilience.Health;

/// <summary>
/// ASP.NET Core health checks for the platform's stores (AspNetCore.HealthChecks.NpgSql, .Redis, and
/// .Uris for ClickHouse's /ping), each with the status its failure means: PostgreSQL holds the core
/// data, so its loss is Unhealthy; Redis and ClickHouse losses leave the core working — Degraded.
/// </summary>
public static class HealthRegistration
{
    public const string DependencyTag = "dependency";

    /// <summary>Each check's limit; a peer's whole report must fit in <see cref="HealthOptions.PeerTimeout"/>.</summary>
    public static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(3);

    public static bool IsDependency(HealthCheckRegistration registration) => registration.Tags.Contains(DependencyTag);

    public static IServiceCollection AddDependencyHealth(this IServiceCollection services, IConfiguration configuration)
    {
        var checks = services.AddHealthChecks()
            .AddNpgSql(sp => sp.GetRequiredService<NpgsqlDataSource>(), name: "postgres", failureStatus: HealthStatus.Unhealthy,
                tags: [DependencyTag], timeout: CheckTimeout)
            .AddRedis(sp => sp.GetRequiredService<IConnectionMultiplexer>(), name: "redis", failureStatus: HealthStatus.Degraded,
                tags: [DependencyTag], timeout: CheckTimeout);
        if (configuration["Platform:ClickHouse:Endpoint"] is { Length: > 0 } clickhouse)
        {
            checks.AddUrlGroup(new Uri(new Uri(clickhouse), "ping"), name: "clickhouse", failureStatus: HealthStatus.Degraded,
                tags: [DependencyTag], timeout: CheckTimeout);
        }

        services.AddOptions<HealthOptions>().BindConfiguration(HealthOptions.SectionName)
            .Validate(HealthOptions.IsValid, HealthOptions.Invalid).ValidateOnStart();
        services.AddHttpClient<HealthAggregator>();
        return services;
    }

    public static IEndpointRouteBuilder MapDependencyHealth(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/resilience/health", new HealthCheckOptions { Predicate = IsDependency, ResponseWriter = WriteAsync });
        app.MapGet("/resilience/health/overview", async (HealthAggregator aggregator, CancellationToken ct) =>
            TypedResults.Json(await aggregator.OverviewAsync(ct), HealthAggregator.Json));
        app.MapGet("/resilience/health/dashboard", async (HealthAggregator aggregator, CancellationToken ct) =>
            TypedResults.Content(Render(await aggregator.OverviewAsync(ct)), "text/html; charset=utf-8"));
        return app;
    }

    private static Task WriteAsync(HttpContext context, HealthReport report)
    {
        var service = context.RequestServices.GetRequiredService<IOptions<ResilienceOptions>>().Value.ServiceName;
        context.Response.ContentType = "application/json";
        return JsonSerializer.SerializeAsync(context.Response.Body, ServiceHealth.From(service, report), HealthAggregator.Json, context.RequestAborted);
    }

    /// <summary>The operator's page: one row per check, the fleet's status on top.</summary>
    private static string Render(HealthOverview overview)
    {
        var html = new StringBuilder($"<!doctype html><title>Apex health</title><h1 data-status=\"{overview.Status}\">Fleet: {overview.Status}</h1><table>");
        foreach (var service in overview.Services)
        {
            foreach (var check in service.Checks)
            {
                html.Append($"<tr data-service=\"{WebUtility.HtmlEncode(service.Service)}\" data-status=\"{check.Status}\"><td>{WebUtility.HtmlEncode(service.Service)}</td>")
                    .Append($"<td>{WebUtility.HtmlEncode(check.Name)}</td><td>{check.Status}</td><td>{WebUtility.HtmlEncode(check.Description ?? string.Empty)}</td></tr>");
            }
        }

        return html.Append("</table>").ToString();
    }
}
