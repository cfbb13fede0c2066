using Apex.Coverage.Web.Access;
using Apex.Coverage.Web.CodeCoverage;
using Apex.Coverage.Web.Standards;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Apex.Coverage.Web.Analytics;

public sealed record CoverageFiguresResponse(
    int Items, int Implemented, int Passing, int Failing, int Flaky, int NotRun,
    decimal Mrr, decimal ProtectedMrr, decimal MrrAtRisk, double FlakyRate, double? LastSuiteSeconds, double? CodeLineRate);

public sealed partial record CoverageCategoryResponse(
    string Name, string Slug, int Items, int Implemented, int Passing, int Failing, int Flaky, int NotRun,
    decimal Mrr, decimal ProtectedMrr, decimal MrrAtRisk, double FlakyRate, double? LastSuiteSeconds, double? CodeLineRate);

public sealed record CoverageTestResponse(string FullyQualifiedName, string Status, string? LastOutcome, bool Flaky, double FlipRate, bool Quarantined, string Suite);

public sealed partial record CoverageItemResponse(int Number, string Status, IReadOnlyList<CoverageTestResponse> Tests);

public sealed partial record CoverageResponse(
    CoverageFiguresResponse Totals, IReadOnlyList<CoverageCategoryResponse> Categories, IReadOnlyList<CoverageItemResponse> Items);

/// <summary>GET /api/v1/coverage (the contract in ARCHITECTURE.md) and the README badge.</summary>
public static class CoverageApi
{
    public static IEndpointRouteBuilder MapCoverageApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/coverage", GetCoverageAsync).WithName("GetCoverage").WithTags("Coverage").RequireAuthorization(AccessPolicies.Read);
        app.MapGet("/badge/coverage.svg", GetBadgeAsync).WithName("GetCoverageBadge").WithTags("Coverage").RequireAuthorization(AccessPolicies.Read);
        return app;
    }

    public static async Task<Results<Ok<CoverageResponse>, ProblemHttpResult>> GetCoverageAsync(
        CoverageReportHub coverage, CodeCoverageStore codeCoverage, StandardsService standards, CancellationToken cancellationToken)
    {
        var report = await coverage.GetAsync(cancellationToken);
        if (report is null)
        {
            return NoPlan();
        }

        // Line coverage comes from the latest run that measured it; each category's from its modules there.
        var latest = await codeCoverage.LatestAsync(cancellationToken);
        var byCategory = codeCoverage.ByCategory(report.Categories.Select(c => c.Category), latest)
            .ToDictionary(c => c.Slug, c => c.Counts.LineRate, StringComparer.Ordinal);
        var response = ToResponse(report, latest?.Counts.LineRate, byCategory);
        return TypedResults.Ok(StandardsJson.Attach(response, report, await standards.GetAsync(cancellationToken)));
    }

    public static async Task<Results<ContentHttpResult, ProblemHttpResult>> GetBadgeAsync(
        CoverageReportHub coverage, HttpContext context, CancellationToken cancellationToken)
    {
        var report = await coverage.GetAsync(cancellationToken);
        if (report is null)
        {
            return NoPlan();
        }

        // A README shows the badge through an image proxy: tell it not to keep a stale figure.
        context.Response.Headers.CacheControl = "no-cache, max-age=0";
        return TypedResults.Content(CoverageBadge.Svg(report.Totals.ProtectedShare), "image/svg+xml; charset=utf-8");
    }

    private static ProblemHttpResult NoPlan() => TypedResults.Problem(
        title: "No plan has been imported yet",
        detail: "Coverage is measured against the plan; import one (Plan:Path in appsettings.json) and ask again.",
        statusCode: StatusCodes.Status503ServiceUnavailable);

    public static CoverageResponse ToResponse(CoverageReport report, double? codeLineRate = null,
        IReadOnlyDictionary<string, double?>? categoryLineRates = null) => new(
        Figures(report.Totals, codeLineRate),
        [.. report.Categories.Select(c => Category(c.Category.Name, c.Category.Slug, c.Figures, categoryLineRates?.GetValueOrDefault(c.Category.Slug)))],
        [.. report.Items.Select(i => new CoverageItemResponse(i.Item.Number, StatusNames.Of(i.Status), [.. i.Tests.Select(Test)]))]);

    private static CoverageFiguresResponse Figures(CoverageFigures f, double? codeLineRate) => new(
        f.Items, f.Implemented, f.Passing, f.Failing, f.Flaky, f.NotRun, f.Mrr, Round(f.ProtectedMrr), Round(f.MrrAtRisk),
        Math.Round(f.FlakyRate, 4), Seconds(f.LastSuiteSeconds), codeLineRate);

    private static CoverageCategoryResponse Category(string name, string slug, CoverageFigures f, double? codeLineRate) => new(
        name, slug, f.Items, f.Implemented, f.Passing, f.Failing, f.Flaky, f.NotRun, f.Mrr, Round(f.ProtectedMrr), Round(f.MrrAtRisk),
        Math.Round(f.FlakyRate, 4), Seconds(f.LastSuiteSeconds), codeLineRate);

    private static CoverageTestResponse Test(TestCoverage t) => new(
        t.FullyQualifiedName, StatusNames.Of(t.Verdict.Status), t.Verdict.LatestOutcome?.ToString().ToLowerInvariant(),
        t.Verdict.Flaky, Math.Round(t.Verdict.FlipRate, 4), t.Quarantined, t.Suite);

    private static decimal Round(decimal dollars) => Math.Round(dollars, 2);

    private static double? Seconds(double? seconds) => seconds is { } s ? Math.Round(s, 3) : null;
}
