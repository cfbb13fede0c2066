using Apex.Platform.Agents.Caching;
using Apex.Platform.Agents.Context;
using Apex.Platform.Agents.Costs;
using Apex.Platform.Agents.Metrics;
using Apex.Platform.Auth;
using OpenTelemetry.Metrics;

namespace Apex.Platform.Agents.Llm;

/// <summary>What operators and tenants read about the LLM pipeline: providers, costs, context trims, cache, metrics.</summary>
public static class LlmEndpoints
{
    public const string MetricsPath = "/api/agents/metrics";

    public static IEndpointRouteBuilder MapLlmPipeline(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/agents").RequireAuthorization();
        group.MapGet("/providers/events", async (ProviderHealth health, CancellationToken ct) => TypedResults.Ok(await health.EventsAsync(ct)));
        group.MapGet("/costs", async (HttpContext http, CostTracker costs, CancellationToken ct) =>
        {
            var tenant = http.User.ToUserContext().TenantId;
            return TypedResults.Ok(new CostReport(await costs.ByRunAsync(tenant, ct), await costs.ByDayAsync(tenant, ct), await costs.ByModelAsync(tenant, ct), await costs.AlertsAsync(tenant, ct)));
        });
        group.MapGet("/costs/reconciliation", async (UsageReconciler reconciler, CancellationToken ct) => TypedResults.Ok(await reconciler.ReconcileAsync(ct)));
        group.MapGet("/runs/{id:guid}/context", async (Guid id, HttpContext http, AgentRunStore runs, ContextTrimStore trims, CancellationToken ct) =>
            await runs.FindAsync(http.User.ToUserContext().TenantId, id, ct) is null
                ? Results.NotFound()
                : Results.Ok(await trims.ForRunAsync(id, ct)));
        group.MapGet("/cache/stats", async (LlmResponseCache cache) => TypedResults.Ok(await cache.StatsAsync()));
        group.MapPost("/cache/warm", async (WarmBody body, HttpContext http, LlmCacheWarmer warmer, CancellationToken ct) =>
            TypedResults.Ok(await warmer.WarmAsync(http.User.ToUserContext().TenantId, body.Prompts ?? [], ct)));
        group.MapGet("/alerts", (AgentMetrics metrics) => TypedResults.Ok(new[] { metrics.Alert() }));
        app.MapPrometheusScrapingEndpoint(MetricsPath);
        return app;
    }

    public sealed record CostReport(IReadOnlyList<CostTotal> ByRun, IReadOnlyList<CostTotal> ByDay, IReadOnlyList<CostTotal> ByModel, IReadOnlyList<BudgetAlert> Alerts);

    public sealed record WarmBody(List<string>? Prompts);
}
