using Apex.Platform.Auth;

namespace Apex.Platform.Agents.Audit;

public static class AuditEndpoints
{
    /// <summary>A tenant reads its own trail only; the tenant comes from the token, never from the query.</summary>
    public static IEndpointRouteBuilder MapAgentAudit(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/agents/audit").RequireAuthorization();
        group.MapGet("/", async (HttpContext http, Guid? runId, DateTimeOffset? from, DateTimeOffset? to, AgentAuditLog log, CancellationToken ct) =>
            TypedResults.Ok(await log.QueryAsync(new AuditQuery(http.User.ToUserContext().TenantId, runId, from, to), ct)));
        group.MapGet("/report", async (HttpContext http, DateTimeOffset? from, DateTimeOffset? to, AgentAuditLog log, CancellationToken ct) =>
            TypedResults.Ok(await log.ReportAsync(new AuditQuery(http.User.ToUserContext().TenantId, null, from, to), ct)));
        return app;
    }
}
