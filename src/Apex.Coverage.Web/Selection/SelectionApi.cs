using Apex.Coverage.Web.Access;
using Apex.Coverage.Web.Runs;
using Apex.Coverage.Web.ApiTokens;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Apex.Coverage.Web.Selection;

public sealed record ChangeSelectionRequest(string? Budget, string? Suite, IReadOnlyList<string>? Files, string? Diff, string? Base, string? Head);

public sealed record CoverageMapRequest(string? Suite, IReadOnlyList<int>? PlanItems);

public sealed record ChangeSelectionJson(IReadOnlyList<string> ChangedFiles, IReadOnlyList<ImpactedItem> ChangedItems, SelectionJson Selection);

/// <summary>
/// GET /api/v1/selection?budget=00:05:00&amp;format=json|list|filter[&amp;suite=]: the tests that
/// protect the most MRR in the budget. <c>format=filter</c> answers plain text for
/// <c>dotnet test --filter "$(curl ...)"</c>.
/// </summary>
public static class SelectionApi
{
    public static IEndpointRouteBuilder MapSelectionApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/selection", GetAsync).WithName("GetSelection").WithTags("Selection").RequireAuthorization(AccessPolicies.Read);
        // Asking with changed files writes nothing: a question any reader (a token, a session) may ask.
        app.MapPost("/api/v1/selection", ChangedAsync).WithTags("Selection").RequireAuthorization(AccessPolicies.Read);
        app.MapPost("/api/v1/coverage-map", StartMapAsync).WithTags("Selection").RequireApiToken(ApiTokenScopes.RunsWrite);
        app.MapGet("/api/v1/coverage-map", (CoverageMap map, CancellationToken ct, string? suite) => map.ReadAsync(suite, ct)).WithTags("Selection").RequireAuthorization(AccessPolicies.Read);
        app.MapGet("/api/v1/selection/replay", ReplayAsync).WithTags("Selection").RequireAuthorization(AccessPolicies.Read);
        return app;
    }

    /// <summary>
    /// POST /api/v1/selection: the budgeted selection with change impact. The changed files come as
    /// a list, a unified diff, or two commits of the repository the dashboard runs from; the items
    /// whose coverage-map files changed have their tests' likelihood raised to 1, and the answer
    /// names each such item with the changed files that touched it.
    /// </summary>
    private static async Task<Results<Ok<ChangeSelectionJson>, ProblemHttpResult>> ChangedAsync(
        ChangeSelectionRequest request, SelectionService selections, CoverageMap map, GitChanges git, CancellationToken cancellationToken)
    {
        try
        {
            var budget = RunBudget.Parse(request.Budget) ?? throw new SelectionException("Give a budget, for example \"budget\": \"00:05:00\".");
            var files = (request.Files ?? []).Concat(request.Diff is { Length: > 0 } diff ? ChangeImpact.FilesOfDiff(diff) : [])
                .Concat(request.Base is { Length: > 0 } from ? await git.BetweenAsync(from, request.Head ?? "HEAD", cancellationToken) : []).ToList();
            var impacted = ChangeImpact.Of(await map.ReadAsync(request.Suite, cancellationToken), files);
            var selection = await selections.SelectAsync(request.Suite, budget, impacted.Select(i => i.Item).ToHashSet(), cancellationToken);
            return TypedResults.Ok(new ChangeSelectionJson(files, impacted, SelectionFormats.Json(selection)));
        }
        catch (SelectionException error)
        {
            return TypedResults.Problem(statusCode: 400, title: "No selection", detail: error.Message);
        }
    }

    private static async Task<Results<Accepted<Dictionary<int, long>>, ProblemHttpResult>> StartMapAsync(
        CoverageMapRequest request, CoverageMap map, CancellationToken cancellationToken)
    {
        try
        {
            return TypedResults.Accepted("/api/v1/coverage-map", await map.StartAsync(request.Suite, request.PlanItems, cancellationToken));
        }
        catch (SelectionException error)
        {
            return TypedResults.Problem(statusCode: 400, title: "The coverage map cannot start", detail: error.Message);
        }
    }

    /// <summary>The replay over the suite's last <paramref name="runs"/> stored runs (point 2 of issue 16).</summary>
    private static async Task<Results<Ok<ReplayReport>, ProblemHttpResult>> ReplayAsync(
        ReplayService replays, CancellationToken cancellationToken, string? suite = null, int runs = 200)
    {
        try
        {
            return TypedResults.Ok(await replays.ReplayAsync(suite, runs, cancellationToken));
        }
        catch (SelectionException error)
        {
            return TypedResults.Problem(statusCode: 400, title: "No replay", detail: error.Message);
        }
    }

    private static async Task<Results<Ok<SelectionJson>, ContentHttpResult, ProblemHttpResult>> GetAsync(
        SelectionService selections, CancellationToken cancellationToken, string? budget = null, string? format = "json", string? suite = null)
    {
        var kind = (format ?? "json").Trim().ToLowerInvariant();
        if (kind is not ("json" or "list" or "filter"))
        {
            return TypedResults.Problem(statusCode: 400, title: "Unknown format", detail: $"format must be json, list or filter (got '{format}').");
        }

        try
        {
            var limit = RunBudget.Parse(budget)
                ?? throw new SelectionException("Give a budget, for example ?budget=00:05:00 for five minutes.");
            var selection = await selections.SelectAsync(suite, limit, null, cancellationToken);
            return kind switch
            {
                "list" => TypedResults.Text(SelectionFormats.List(selection), "text/plain; charset=utf-8"),
                "filter" => SelectionFormats.Filter(selection) is { } filter
                    ? TypedResults.Text(filter, "text/plain; charset=utf-8")
                    : TypedResults.Problem(statusCode: 422, title: "No test fits in the budget",
                        detail: $"No test fits in {limit:c}; an empty filter would run every test. Give a larger budget."),
                _ => TypedResults.Ok(SelectionFormats.Json(selection)),
            };
        }
        catch (SelectionException error)
        {
            return TypedResults.Problem(statusCode: 400, title: "No selection", detail: error.Message);
        }
    }
}
