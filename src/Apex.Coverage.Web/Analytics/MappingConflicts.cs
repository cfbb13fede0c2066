using Apex.Coverage.Web.Access;
using Apex.Coverage.Web.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Apex.Coverage.Web.Analytics;

/// <summary>
/// A discovered test an upload claimed other plan items for (ADR 0180): discovery's mapping holds,
/// the upload's claim is shown here so a person can fix whichever side is wrong.
/// </summary>
public sealed record MappingConflict(
    string Suite, string FullyQualifiedName, IReadOnlyList<int> DiscoveredPlanItems, IReadOnlyList<int> ClaimedPlanItems,
    long? ClaimedByRunId, DateTimeOffset? ClaimedAt);

/// <summary>Reads the mapping conflicts for the overview page and GET /api/v1/mapping-conflicts.</summary>
public sealed class MappingConflicts(IDbContextFactory<CoverageDbContext> databases)
{
    public const int MaxTake = 1000;

    public async Task<IReadOnlyList<MappingConflict>> ReadAsync(int take, CancellationToken cancellationToken = default)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var rows = await db.DiscoveredTests.AsNoTracking()
            .Where(t => t.ClaimedPlanItems != null && t.MappedByDiscovery && !t.Missing)
            .OrderBy(t => t.SuiteName).ThenBy(t => t.FullyQualifiedName).Take(take)
            .Select(t => new { t.SuiteName, t.FullyQualifiedName, t.PlanItems, t.ClaimedPlanItems, t.ClaimedByRunId, t.ClaimedAt })
            .ToListAsync(cancellationToken);
        return [.. rows.Select(r => new MappingConflict(r.SuiteName, r.FullyQualifiedName, Results.PlanIds.ParseStored(r.PlanItems),
            Results.PlanIds.ParseStored(r.ClaimedPlanItems), r.ClaimedByRunId, r.ClaimedAt))];
    }
}

public static class MappingConflictsApi
{
    public static IEndpointRouteBuilder MapMappingConflictsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/mapping-conflicts", ListAsync).WithTags("Tests").RequireAuthorization(AccessPolicies.Read)
            .WithSummary("Discovered tests whose plan items an upload contradicted")
            .WithDescription("The suite's own build decides a test's plan items; an upload that claims others is listed here, not applied.");
        return app;
    }

    private static async Task<Results<Ok<IReadOnlyList<MappingConflict>>, ProblemHttpResult>> ListAsync(
        MappingConflicts conflicts, CancellationToken cancellationToken, int take = 200)
    {
        if (take is < 1 or > MappingConflicts.MaxTake)
        {
            return TypedResults.Problem(statusCode: 400, title: "Invalid paging", detail: $"take must be between 1 and {MappingConflicts.MaxTake} (got {take}).");
        }

        return TypedResults.Ok(await conflicts.ReadAsync(take, cancellationToken));
    }
}
