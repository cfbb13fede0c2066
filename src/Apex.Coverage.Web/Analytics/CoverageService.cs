using Apex.Coverage.Web.Data;
using Apex.Coverage.Web.Plan;
using Apex.Coverage.Web.Results;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Apex.Coverage.Web.Analytics;

/// <summary>A test with its recent results, for the item and test pages.</summary>
public sealed record TestDetail(TestCoverage Test, IReadOnlyList<RecordedOutcome> Runs, string TraitsJson, Quarantine? Quarantine);

/// <summary>
/// Computes the coverage report from what is stored now: every test known from discovery or from
/// results, its latest results (one seek per test), the quarantines and the current plan.
/// </summary>
public sealed class CoverageService(
    IDbContextFactory<CoverageDbContext> databases, PlanCatalog catalog, IOptions<AnalyticsOptions> options, TimeProvider time)
{
    public FlakinessRule Rule => options.Value.Rule;

    /// <summary>The report, or null while no plan has been imported.</summary>
    public async Task<CoverageReport?> GetReportAsync(CancellationToken cancellationToken = default)
    {
        if (catalog.Current is not { } plan)
        {
            return null;
        }

        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var tests = await ReadTestsAsync(db, cancellationToken);
        var seconds = await TestHistoryReader.LastSuiteSecondsAsync(db, cancellationToken);
        return CoverageCalculator.Calculate(plan.Document, tests, seconds, Rule, time.GetUtcNow());
    }

    /// <summary>
    /// One test's last <paramref name="runs"/> runs (one result per run, newest first) and its
    /// standing. Without a suite, the first suite (in key order) that knows the name is meant.
    /// </summary>
    public async Task<TestDetail?> GetTestAsync(string name, int runs, CancellationToken cancellationToken = default) =>
        await GetTestAsync(null, name, runs, cancellationToken);

    public async Task<TestDetail?> GetTestAsync(string? suite, string name, int runs, CancellationToken cancellationToken = default)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        suite ??= await SuiteOfAsync(db, name, cancellationToken);
        if (suite is null)
        {
            return null;
        }

        var key = new TestKey(suite, name);
        var known = (await TestCatalog.DescribeAsync(db, [key], cancellationToken)).GetValueOrDefault(key);
        var history = await TestHistoryReader.LatestAsync(db, key, Math.Max(runs, Rule.Window), cancellationToken);
        if (known is null && history.Count == 0)
        {
            return null;
        }

        var quarantine = await db.Quarantines.AsNoTracking()
            .FirstOrDefaultAsync(q => q.FullyQualifiedName == name && q.ReleasedAt == null, cancellationToken);
        var test = new TestCoverage(name, known?.PlanItems ?? [], TestVerdict.Judge(history, Rule, quarantine is not null), quarantine is not null) { Suite = suite };
        return new TestDetail(test, [.. TestVerdict.PerRun(history).Take(runs)], known?.TraitsJson ?? "{}", quarantine);
    }

    private static async Task<string?> SuiteOfAsync(CoverageDbContext db, string name, CancellationToken cancellationToken) =>
        await db.DiscoveredTests.AsNoTracking().Where(t => t.FullyQualifiedName == name).OrderBy(t => t.SuiteName)
            .Select(t => t.SuiteName).FirstOrDefaultAsync(cancellationToken)
        ?? await db.TestResults.AsNoTracking().Where(r => r.FullyQualifiedName == name).OrderByDescending(r => r.RunId)
            .Select(r => r.SuiteName).FirstOrDefaultAsync(cancellationToken);

    /// <summary>Each failing or flaky test's most recent failure in its window, grouped by normalised message.</summary>
    public async Task<List<FailureGroup>> GetFailureGroupsAsync(CoverageReport report, CancellationToken cancellationToken = default)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var failures = new List<TestFailure>();
        foreach (var test in report.Tests.Where(t => t.Verdict.LatestOutcome == TestOutcome.Failed || t.Verdict.Flaky))
        {
            var history = await TestHistoryReader.LatestAsync(db, test.Key, Rule.Window, cancellationToken);
            if (TestVerdict.PerRun(history).FirstOrDefault(r => r.Outcome == TestOutcome.Failed) is { } failure)
            {
                failures.Add(new TestFailure(test, failure));
            }
        }

        return FailureGroups.Group(failures);
    }

    private async Task<List<TestCoverage>> ReadTestsAsync(CoverageDbContext db, CancellationToken cancellationToken)
    {
        var keys = await TestCatalog.AllKeysAsync(db, cancellationToken);
        var known = await TestCatalog.DescribeAsync(db, null, cancellationToken);
        var quarantined = await TestHistoryReader.QuarantinedAsync(db, cancellationToken);
        var histories = await TestHistoryReader.LatestOfAllAsync(db, keys, Rule.Window, cancellationToken);
        return [.. keys.Select(key => Judge(key, known.GetValueOrDefault(key), histories[key], quarantined.Contains(key.FullyQualifiedName)))];
    }

    private TestCoverage Judge(TestKey key, KnownTest? known, List<RecordedOutcome> history, bool quarantined) =>
        new(key.FullyQualifiedName, known?.PlanItems ?? [], TestVerdict.Judge(history, Rule, quarantined), quarantined) { Suite = key.Suite };
}
