using Apex.Coverage.Web.Access;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Apex.Coverage.Web.CodeCoverage;

/// <summary>GET /api/v1/runs/{id}/coverage/files: a run's per-file coverage with uncovered lines, for drill-down from scripts.</summary>
public static class CodeCoverageApi
{
    public static IEndpointRouteBuilder MapCodeCoverageApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/runs/{id:long}/coverage/files", FilesAsync).WithTags("Runs").RequireAuthorization(AccessPolicies.Read);
        return app;
    }

    private static async Task<Results<Ok<List<FileCoverageJson>>, ProblemHttpResult>> FilesAsync(
        long id, CodeCoverageStore store, CancellationToken cancellationToken)
    {
        if (await store.ForRunAsync(id, cancellationToken) is null)
        {
            return TypedResults.Problem(statusCode: 404, title: "No coverage for this run",
                detail: $"Run {id} does not exist or did not collect coverage; start one with collectCoverage: true.");
        }

        var files = await store.FilesAsync(id, cancellationToken);
        return TypedResults.Ok(files.Select(CodeCoverageJson.File).ToList());
    }
}
