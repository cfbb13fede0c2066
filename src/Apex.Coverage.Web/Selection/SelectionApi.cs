using Apex.Coverage.Web.Access;
using Apex.Coverage.Web.Runs;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Apex.Coverage.Web.Selection;

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
        app.MapGet("/api/v1/selection/replay", ReplayAsync).WithTags("Selection").RequireAuthorization(AccessPolicies.Read);
        return app;
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
