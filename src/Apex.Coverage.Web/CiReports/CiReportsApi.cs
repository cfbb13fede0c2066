using Apex.Coverage.Web.Access;
using Apex.Coverage.Web.Analytics;
using Apex.Coverage.Web.Results;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Apex.Coverage.Web.CiReports;

public sealed record RunPointJson(long RunId, string? Commit, DateTimeOffset At);

public sealed record FirstFailureJson(string Suite, string FullyQualifiedName, string? Branch, RunPointJson FirstRed, RunPointJson? LastGreen, int RedRuns);

/// <summary>
/// For CI and pull requests: a run's Markdown summary, the first failing commit of a test on a
/// branch, the coverage and test tables as CSV, and the protected-MRR badge in dollars.
/// </summary>
public static class CiReportsApi
{
    public static IEndpointRouteBuilder MapCiReportsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/runs/{id:long}/summary.md", SummaryAsync).WithTags("Runs").RequireAuthorization(AccessPolicies.Read);
        app.MapGet("/api/v1/tests/first-failure", FirstFailureAsync).WithTags("Tests").RequireAuthorization(AccessPolicies.Read);
        app.MapGet("/api/v1/export/coverage.csv", (CoverageReportHub hub, CancellationToken ct) => CsvAsync(hub, CsvExport.Items, "apex-coverage.csv", ct)).WithTags("Coverage").RequireAuthorization(AccessPolicies.Read);
        app.MapGet("/api/v1/export/tests.csv", (CoverageReportHub hub, CancellationToken ct) => CsvAsync(hub, CsvExport.Tests, "apex-tests.csv", ct)).WithTags("Tests").RequireAuthorization(AccessPolicies.Read);
        app.MapGet("/badge/protected-mrr.svg", BadgeAsync).WithTags("Coverage").RequireAuthorization(AccessPolicies.Read);
        return app;
    }

    private static async Task<Results<ContentHttpResult, ProblemHttpResult>> SummaryAsync(
        long id, RunSummaryService summaries, HttpContext http, CancellationToken cancellationToken)
    {
        var baseUrl = $"{http.Request.Scheme}://{http.Request.Host}{http.Request.PathBase}";
        var facts = await summaries.FactsAsync(id, baseUrl, cancellationToken);
        return facts is null
            ? TypedResults.Problem(statusCode: 404, title: "No such run", detail: $"There is no run {id} (or no plan is imported). GET /api/v1/runs lists the runs.")
            : TypedResults.Text(RunSummary.Markdown(facts), "text/markdown; charset=utf-8");
    }

    private static async Task<Results<Ok<FirstFailureJson>, ProblemHttpResult>> FirstFailureAsync(
        FirstFailureFinder finder, CancellationToken cancellationToken, string? name = null, string? suite = null, string? branch = null)
    {
        if (string.IsNullOrWhiteSpace(name) || string.IsNullOrWhiteSpace(suite))
        {
            return TypedResults.Problem(statusCode: 400, title: "Which test?", detail: "Give the test's suite and fully qualified name: ?suite=L2&name=Namespace.Class.Method[&branch=main].");
        }

        var branchName = string.IsNullOrWhiteSpace(branch) ? null : branch.Trim();
        var found = await finder.FindAsync(new TestKey(suite.Trim(), name.Trim()), branchName, cancellationToken);
        return found is null
            ? TypedResults.Problem(statusCode: 404, title: "Not failing",
                detail: $"'{name}' has no failing latest result on {(branchName is null ? "runs without a branch" : $"branch '{branchName}'")}.")
            : TypedResults.Ok(new FirstFailureJson(found.Test.Suite, found.Test.FullyQualifiedName, found.Branch, Point(found.FirstRed),
                found.LastGreen is { } green ? Point(green) : null, found.RedRuns));
    }

    private static RunPointJson Point(RunPoint point) => new(point.RunId, point.Commit, point.At);

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> CsvAsync(
        CoverageReportHub hub, Func<CoverageReport, string> table, string fileName, CancellationToken cancellationToken)
    {
        var report = await hub.GetAsync(cancellationToken);
        return report is null
            ? NoPlan()
            : TypedResults.File(System.Text.Encoding.UTF8.GetBytes(table(report)), "text/csv; charset=utf-8", fileName);
    }

    private static async Task<Results<ContentHttpResult, ProblemHttpResult>> BadgeAsync(
        CoverageReportHub hub, HttpContext http, CancellationToken cancellationToken)
    {
        if (await hub.GetAsync(cancellationToken) is not { } report)
        {
            return NoPlan();
        }

        http.Response.Headers.CacheControl = "no-cache, max-age=0";
        return TypedResults.Content(MrrBadge.Svg(report.Totals.ProtectedMrr, report.Totals.Mrr), "image/svg+xml; charset=utf-8");
    }

    private static ProblemHttpResult NoPlan() => TypedResults.Problem(statusCode: 503, title: "No plan has been imported yet",
        detail: "Coverage is measured against the plan; import one (Plan:Path in appsettings.json) and ask again.");
}
