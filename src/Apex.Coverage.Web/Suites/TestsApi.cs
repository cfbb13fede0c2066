using System.Text.Json;
using Apex.Coverage.Web.Analytics;
using Apex.Coverage.Web.Data;
using Apex.Coverage.Web.Runs;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Apex.Coverage.Web.Suites;

public sealed record TestJson(
    string FullyQualifiedName, string DisplayName, IReadOnlyList<int> PlanItems,
    IReadOnlyDictionary<string, string[]> Traits, string? LastOutcome, bool Flaky, double FlipRate);

/// <summary>
/// GET /api/v1/tests: every test known from discovery or from recorded results, judged (last
/// outcome, flip rate, flaky) by the analytics' own rule so this list and /api/v1/coverage agree.
/// </summary>
public static class TestsApi
{
    public static IEndpointRouteBuilder MapTestsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/tests", ListAsync).WithTags("Tests");
        return app;
    }

    private static async Task<Ok<List<TestJson>>> ListAsync(
        IDbContextFactory<CoverageDbContext> databases, IOptions<AnalyticsOptions> analytics, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var discovered = await db.DiscoveredTests.AsNoTracking().Where(t => !t.Missing).OrderBy(t => t.FullyQualifiedName).ToListAsync(cancellationToken);
        var histories = await VerdictsAsync(db, analytics.Value.Rule, cancellationToken);
        var known = discovered.GroupBy(t => t.FullyQualifiedName, StringComparer.Ordinal).Select(g => g.First()).ToList();
        var tests = known.Select(t => Json(t.FullyQualifiedName, t.DisplayName, ParseItems(t.PlanItems), ParseTraits(t.TraitsJson), histories))
            .Concat(histories.Keys.Except(known.Select(t => t.FullyQualifiedName), StringComparer.Ordinal).Order(StringComparer.Ordinal)
                .Select(name => Json(name, name, [], new Dictionary<string, string[]>(), histories)))
            .ToList();
        return TypedResults.Ok(tests);
    }

    private static async Task<Dictionary<string, TestVerdict>> VerdictsAsync(CoverageDbContext db, FlakinessRule rule, CancellationToken cancellationToken)
    {
        var results = await db.TestResults.AsNoTracking().OrderByDescending(r => r.RunId).ThenByDescending(r => r.Id)
            .Select(r => new { r.FullyQualifiedName, Outcome = new RecordedOutcome(r.RunId, r.Outcome, r.Commit, r.DurationSeconds, r.ErrorMessage, r.RecordedAt) })
            .ToListAsync(cancellationToken);
        return results.GroupBy(r => r.FullyQualifiedName, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => TestVerdict.Judge([.. g.Select(r => r.Outcome)], rule), StringComparer.Ordinal);
    }

    private static TestJson Json(string name, string display, IReadOnlyList<int> items, IReadOnlyDictionary<string, string[]> traits,
        Dictionary<string, TestVerdict> verdicts)
    {
        var verdict = verdicts.GetValueOrDefault(name) ?? TestVerdict.NeverRun;
        return new TestJson(name, display, items, traits,
            verdict.LatestOutcome is { } last ? RunJson.Lower(last) : null, verdict.Flaky, Math.Round(verdict.FlipRate, 4));
    }

    public static IReadOnlyList<int> ParseItems(string items) =>
        [.. items.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(i => int.TryParse(i, out var n) ? n : 0).Where(n => n > 0)];

    private static IReadOnlyDictionary<string, string[]> ParseTraits(string json) =>
        JsonSerializer.Deserialize<Dictionary<string, string[]>>(json) ?? [];
}
