using Apex.Coverage.Web.Access;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Apex.Coverage.Web.Audit;

public sealed record AuditEntryJson(long Id, DateTimeOffset At, string Actor, string ActorKind, string Action, string? Subject, string? Detail);

public sealed record AuditPageJson(int Total, int Skip, int Take, IReadOnlyList<AuditEntryJson> Entries);

/// <summary>GET /api/v1/audit: the trail, newest first, paged and filtered; admins only.</summary>
public static class AuditApi
{
    public static IEndpointRouteBuilder MapAudit(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/audit", ListAsync).WithTags("Audit").RequireAuthorization(AccessPolicies.Admin)
            .WithSummary("The audit trail, newest first (?take=&skip=&action=&actor=&since=)");
        return app;
    }

    private static async Task<Results<Ok<AuditPageJson>, ProblemHttpResult>> ListAsync(
        AuditTrail audit, CancellationToken cancellationToken, int take = 50, int skip = 0, string? action = null, string? actor = null, DateTimeOffset? since = null)
    {
        if (take is < 1 or > AuditQuery.MaxTake || skip < 0)
        {
            return TypedResults.Problem(statusCode: 400, title: "Invalid paging",
                detail: $"take must be between 1 and {AuditQuery.MaxTake} and skip at least 0 (got take={take}, skip={skip}).");
        }

        var page = await audit.QueryAsync(new AuditQuery(skip, take, action, actor, since), cancellationToken);
        return TypedResults.Ok(new AuditPageJson(page.Total, skip, take,
            [.. page.Entries.Select(e => new AuditEntryJson(e.Id, e.At, e.Actor, e.ActorKind, e.Action, e.Subject, e.Detail))]));
    }
}
