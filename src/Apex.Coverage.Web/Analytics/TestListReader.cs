using Apex.Coverage.Web.Data;
using Apex.Coverage.Web.Results;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Apex.Coverage.Web.Analytics;

/// <summary>A known test with its standing by the shared flakiness rule.</summary>
public sealed record ListedTest(TestKey Key, string DisplayName, IReadOnlyList<int> PlanItems, string TraitsJson, TestVerdict Verdict);

/// <summary>
/// The question "which tests are there, and how do they stand", one page at a time: the keys
/// come paged from <see cref="TestCatalog"/>, then only that page's histories are read (one index
/// seek per test). Memory and time grow with the page, never with the stored results.
/// </summary>
public sealed class TestListReader(IDbContextFactory<CoverageDbContext> databases, IOptions<AnalyticsOptions> options)
{
    public const int DefaultTake = 1000;

    public const int MaxTake = 1000;

    public async Task<List<ListedTest>> ReadAsync(string? suite, int skip, int take, CancellationToken cancellationToken)
    {
        var rule = options.Value.Rule;
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var keys = await TestCatalog.KeysAsync(db, suite, skip, take, cancellationToken);
        var known = await TestCatalog.DescribeAsync(db, keys, cancellationToken);
        var histories = await TestHistoryReader.LatestOfAllAsync(db, keys, rule.Window, cancellationToken);
        return [.. keys.Select(key => known.GetValueOrDefault(key) is { } test
            ? new ListedTest(key, test.DisplayName, test.PlanItems, test.TraitsJson, TestVerdict.Judge(histories[key], rule))
            : new ListedTest(key, key.FullyQualifiedName, [], "{}", TestVerdict.Judge(histories[key], rule)))];
    }
}
