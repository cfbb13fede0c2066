using Apex.Coverage.Web.Access;
using System.Text.Json;
using Apex.Coverage.Web.Results;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Apex.Coverage.Web.Analytics;

public sealed record TestJson(
    string Suite, string FullyQualifiedName, string DisplayName, IReadOnlyList<int> PlanItems,
    IReadOnlyDictionary<string, string[]> Traits, string? LastOutcome, bool Flaky, double FlipRate);

/// <summary>
/// GET /api/v1/tests?suite=&amp;take=&amp;skip=: the tests known from discovery or from recorded
/// results, one page in (suite, name) order, judged by the analytics' own rule through
/// <see cref="TestListReader"/> so this list and /api/v1/coverage agree.
/// </summary>
public static class TestsApi
{
    public static IEndpointRouteBuilder MapTestsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/tests", ListAsync).WithTags("Tests").RequireAuthorization(AccessPolicies.Read);
        return app;
    }

    private static async Task<Results<Ok<List<TestJson>>, ProblemHttpResult>> ListAsync(
        TestListReader tests, CancellationToken cancellationToken, string? suite = null, int take = TestListReader.DefaultTake, int skip = 0)
    {
        if (take is < 1 or > TestListReader.MaxTake || skip < 0)
        {
            return TypedResults.Problem(statusCode: 400, title: "Invalid paging",
                detail: $"take must be between 1 and {TestListReader.MaxTake} and skip at least 0 (got take={take}, skip={skip}).");
        }

        var page = await tests.ReadAsync(string.IsNullOrWhiteSpace(suite) ? null : suite.Trim(), skip, take, cancellationToken);
        return TypedResults.Ok(page.Select(Json).ToList());
    }

    private static TestJson Json(ListedTest test) => new(
        test.Key.Suite, test.Key.FullyQualifiedName, test.DisplayName, test.PlanItems, ParseTraits(test.TraitsJson),
        test.Verdict.LatestOutcome is { } last ? last.ToString().ToLowerInvariant() : null, test.Verdict.Flaky, Math.Round(test.Verdict.FlipRate, 4));

    private static IReadOnlyDictionary<string, string[]> ParseTraits(string json) =>
        JsonSerializer.Deserialize<Dictionary<string, string[]>>(json) ?? [];
}
