using Apex.Coverage.Web.Access;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Apex.Coverage.Web.Plan;

public sealed record PlanCategoryResponse(
    string Name, string Slug, int? FirstItem, int? LastItem, int Count, decimal Mrr, string? Priority);

public sealed record PlanItemResponse(
    int Number, string Name, string Category, string Bvj, decimal? BvjMrr,
    IReadOnlyList<string> Components, IReadOnlyList<string> Scenarios, string DeclaredStatus);

public sealed record PlanTotalsResponse(int Items, decimal Mrr);

public sealed record PlanLintResponse(string Severity, string Code, string Message, int Line);

public sealed record PlanResponse(
    IReadOnlyList<PlanCategoryResponse> Categories,
    IReadOnlyList<PlanItemResponse> Items,
    PlanTotalsResponse Totals,
    IReadOnlyList<PlanLintResponse> Lint);

public static class PlanApi
{
    public static IEndpointRouteBuilder MapPlanApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/plan", GetPlan).WithName("GetPlan").WithTags("Plan").RequireAuthorization(AccessPolicies.Read);
        return app;
    }

    /// <summary>
    /// The current catalog. Its version goes in the ETag so the body stays the contract's shape;
    /// a rejected newer import shows up in lint as errors, since the file on disk needs fixing.
    /// </summary>
    public static Results<Ok<PlanResponse>, ProblemHttpResult> GetPlan(PlanCatalog catalog, HttpContext context)
    {
        if (catalog.Current is not { } snapshot)
        {
            var reason = catalog.LastAttempt?.Findings.FirstOrDefault(f => f.Severity == FindingSeverity.Error);
            return TypedResults.Problem(
                title: "No plan has been imported yet",
                detail: reason is null
                    ? "The dashboard has not imported a plan file yet."
                    : $"The plan could not be imported (line {reason.Line}): {reason.Message}",
                statusCode: StatusCodes.Status503ServiceUnavailable);
        }

        context.Response.Headers.ETag = $"\"plan-v{snapshot.Version}\"";
        var rejected = catalog.PendingRejection?.Findings ?? [];
        return TypedResults.Ok(ToResponse(snapshot.Document, [.. rejected, .. snapshot.Findings]));
    }

    internal static PlanResponse ToResponse(PlanDocument plan, IEnumerable<PlanFinding> findings) => new(
        [.. plan.Categories.Select(c => new PlanCategoryResponse(c.Name, c.Slug, c.FirstItem, c.LastItem, c.Count, c.Mrr, c.Priority))],
        [.. plan.Items.Select(i => new PlanItemResponse(i.Number, i.Name, i.CategorySlug, i.Bvj, i.BvjMrr,
            i.Components, i.Scenarios, i.DeclaredStatus == DeclaredStatus.Implemented ? "implemented" : "planned"))],
        new PlanTotalsResponse(plan.Items.Count, plan.TotalMrr),
        [.. findings.Select(f => new PlanLintResponse(f.Severity.ToString().ToLowerInvariant(), f.Code, f.Message, f.Line))]);
}
