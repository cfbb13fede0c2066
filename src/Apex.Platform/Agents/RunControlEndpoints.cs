using Apex.Platform.Agents.Configuration;
using Apex.Platform.Agents.Fallbacks;
using Apex.Platform.Agents.Quality;
using Apex.Platform.Agents.Resources;
using Apex.Platform.Auth;

namespace Apex.Platform.Agents;

/// <summary>What a tenant or operator reads about run controls: usage and limits, configuration, quality verdicts, fallbacks.</summary>
public static class RunControlEndpoints
{
    public static IEndpointRouteBuilder MapRunControls(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/agents").RequireAuthorization();
        group.MapGet("/resources", async (HttpContext http, AgentResourceManager resources) =>
            TypedResults.Ok(await resources.UsageAsync(http.User.ToUserContext().TenantId)));
        group.MapGet("/config", (AgentConfigWatcher watcher) => TypedResults.Ok(watcher.Status));
        group.MapGet("/runs/{id:guid}/quality", async (Guid id, HttpContext http, AgentRunStore runs, QualityGate gate, CancellationToken ct) =>
            await runs.FindAsync(http.User.ToUserContext().TenantId, id, ct) is null ? Results.NotFound() : Results.Ok(await gate.ResultsAsync(id, ct)));
        group.MapGet("/fallbacks/{chain}/events", async (string chain, FallbackEvents events, CancellationToken ct) => TypedResults.Ok(await events.ForChainAsync(chain, ct)));
        return app;
    }
}
