using Apex.Coverage.Web.Access;
using Apex.Coverage.Web.ApiTokens;
using Apex.Coverage.Web.Audit;
using Apex.Coverage.Web.CodeCoverage;
using Apex.Coverage.Web.Data;
using Apex.Coverage.Web.Results;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Apex.Coverage.Web.Runs;

public sealed record StartRunRequest(string? Suite, int[]? PlanItems, string? Category, string? Priority, bool? OnlyFailed, bool? CollectCoverage, string? Budget = null);

public sealed record RunCreatedJson(long Id, string Status);

/// <summary>GET/POST /api/v1/runs, GET /api/v1/runs/{id}, POST /api/v1/runs/{id}/cancel.</summary>
public static class RunsApi
{
    public const int MaxTake = 200;

    public static IEndpointRouteBuilder MapRunsApi(this IEndpointRouteBuilder app)
    {
        var runs = app.MapGroup("/api/v1/runs").WithTags("Runs");
        runs.MapGet("/", ListAsync).RequireAuthorization(AccessPolicies.Read);
        runs.MapGet("/{id:long}", GetAsync).RequireAuthorization(AccessPolicies.Read);
        // Every write needs a bearer token with runs:write (ADR 0170); reads need a reader.
        var writes = runs.MapGroup("").RequireApiToken(ApiTokenScopes.RunsWrite);
        writes.MapPost("/", StartAsync);
        writes.MapPost("/{id:long}/cancel", CancelAsync);
        return app;
    }

    private static async Task<Results<Ok<List<RunSummaryJson>>, ProblemHttpResult>> ListAsync(
        RunReader runs, CancellationToken cancellationToken, int take = 50, int skip = 0)
    {
        if (take is < 1 or > MaxTake || skip < 0)
        {
            return TypedResults.Problem(statusCode: 400, title: "Invalid paging",
                detail: $"take must be between 1 and {MaxTake} and skip at least 0 (got take={take}, skip={skip}).");
        }

        var page = await runs.ListAsync(skip, take, cancellationToken);
        return TypedResults.Ok(page.Select(RunJson.Summary).ToList());
    }

    private static async Task<Results<Ok<RunDetailJson>, ProblemHttpResult>> GetAsync(
        long id, RunReader runs, CodeCoverageStore codeCoverage, CancellationToken cancellationToken)
    {
        var run = await runs.FindAsync(id, cancellationToken);
        if (run is null)
        {
            return NotFound(id);
        }

        var results = await runs.ResultsAsync(id, cancellationToken);
        var coverage = await codeCoverage.ForRunAsync(id, cancellationToken);
        return TypedResults.Ok(RunJson.Detail(run, results, coverage is null ? null : CodeCoverageJson.Of(coverage)));
    }

    private static async Task<Results<Accepted<RunCreatedJson>, ProblemHttpResult>> StartAsync(
        StartRunRequest request, RunRequests requests, AuditTrail audit, HttpContext http, CancellationToken cancellationToken)
    {
        if (!http.ApiTokenAllowsSuite(string.IsNullOrWhiteSpace(request.Suite) ? requests.DefaultSuite : request.Suite))
        {
            return TokenSuiteRefused();
        }

        try
        {
            var selection = new RunSelection(request.PlanItems, Blank(request.Category), Blank(request.Priority), request.OnlyFailed ?? false,
                RunBudget.Parse(request.Budget));
            var id = await requests.StartAsync(request.Suite, selection, RunSource.Api, request.CollectCoverage ?? false, http.ApiTokenName(), cancellationToken);
            await audit.RecordAsync(AuditActor.Of(http.User), AuditActions.RunStarted, $"run {id}", "through the API", cancellationToken);
            return TypedResults.Accepted($"/api/v1/runs/{id}", new RunCreatedJson(id, "queued"));
        }
        catch (SelectionException error)
        {
            return TypedResults.Problem(statusCode: 400, title: "The run cannot start", detail: error.Message);
        }
    }

    private static async Task<Results<Accepted<RunCreatedJson>, ProblemHttpResult>> CancelAsync(
        long id, RunRequests requests, RunReader runs, AuditTrail audit, HttpContext http, CancellationToken cancellationToken)
    {
        if (await runs.FindAsync(id, cancellationToken) is { } run && !http.ApiTokenAllowsSuite(run.SuiteName))
        {
            return TokenSuiteRefused();
        }

        var outcome = await requests.CancelAsync(id, cancellationToken);
        if (outcome is CancelOutcome.Canceled or CancelOutcome.Stopping)
        {
            await audit.RecordAsync(AuditActor.Of(http.User), AuditActions.RunCanceled, $"run {id}", "through the API", cancellationToken);
        }

        return outcome switch
        {
            CancelOutcome.Canceled => TypedResults.Accepted($"/api/v1/runs/{id}", new RunCreatedJson(id, "canceled")),
            CancelOutcome.Stopping => TypedResults.Accepted($"/api/v1/runs/{id}", new RunCreatedJson(id, "canceling")),
            CancelOutcome.NotFound => NotFound(id),
            CancelOutcome.RunningElsewhere => TypedResults.Problem(statusCode: 409, title: "Run is on another node",
                detail: $"Run {id} is executing on another dashboard node; cancel it there."),
            _ => TypedResults.Problem(statusCode: 409, title: "Run already ended",
                detail: $"Run {id} has already ended (or came from CI); there is nothing to cancel."),
        };
    }

    private static ProblemHttpResult TokenSuiteRefused() =>
        TypedResults.Problem(statusCode: 403, title: "Not allowed",
            detail: "This API token is limited to another suite. Use a token made for this suite, or one for every suite.");

    private static ProblemHttpResult NotFound(long id) =>
        TypedResults.Problem(statusCode: 404, title: "No such run", detail: $"There is no run {id}. GET /api/v1/runs lists the runs.");

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
