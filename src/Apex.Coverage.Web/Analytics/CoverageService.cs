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

    // What the report is computed from, in one round trip of aggregates over small tables and
    // index ends: a writer that never signalled (another node, a script) still changes it.
    private const string WatermarkSql = """
        SELECT (SELECT MAX("Id") FROM "TestResults") AS "Results",
               (SELECT MAX("Id") FROM "TestRuns") AS "Runs",
               (SELECT COUNT(*) FROM "TestRuns" WHERE "FinishedAt" IS NOT NULL) AS "Finished",
               (SELECT MAX("LastSeenAt") FROM "DiscoveredTests") AS "Seen",
               (SELECT COUNT(*) FROM "DiscoveredTests") AS "Tests",
               (SELECT MAX("Id") FROM "Quarantines") AS "Quarantined",
               (SELECT COUNT(*) FROM "Quarantines" WHERE "ReleasedAt" IS NOT NULL) AS "Released"
        """;

    /// <summary>A fingerprint of the stored facts the report reads; equal fingerprints, equal reports.</summary>
    public async Task<string> WatermarkAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        await db.Database.OpenConnectionAsync(cancellationToken);
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = WatermarkSql;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var parts = new object[reader.FieldCount];
        reader.GetValues(parts);
        return string.Join('|', parts.Select(p => Convert.ToString(p, System.Globalization.CultureInfo.InvariantCulture)));
    }

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

    /// <summary>
    /// The details of several tests of the report (an item's tests) in three queries, whatever
    /// their number: their descriptions, their histories in one batched read, the quarantines.
    /// </summary>
    public async Task<List<TestDetail>> GetTestsAsync(IReadOnlyList<TestCoverage> tests, int runs, CancellationToken cancellationToken = default)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var keys = tests.Select(t => t.Key).Distinct().ToList();
        var known = await TestCatalog.DescribeAsync(db, keys, cancellationToken);
        var histories = await TestHistoryReader.LatestOfAllAsync(db, keys, Math.Max(runs, Rule.Window), cancellationToken);
        var names = keys.Select(k => k.FullyQualifiedName).Distinct().ToList();
        var quarantines = await db.Quarantines.AsNoTracking().Where(q => q.ReleasedAt == null && names.Contains(q.FullyQualifiedName))
            .ToDictionaryAsync(q => q.FullyQualifiedName, StringComparer.Ordinal, cancellationToken);
        return [.. tests.DistinctBy(t => t.Key).Select(t => new TestDetail(t, [.. TestVerdict.PerRun(histories[t.Key]).Take(runs)],
            known.GetValueOrDefault(t.Key)?.TraitsJson ?? "{}", quarantines.GetValueOrDefault(t.FullyQualifiedName)))];
    }

    /// <summary>Each failing or flaky test's most recent failure in its window, grouped by normalised message.</summary>
    public async Task<List<FailureGroup>> GetFailureGroupsAsync(CoverageReport report, CancellationToken cancellationToken = default)
    {
        var failing = report.Tests.Where(t => t.Verdict.LatestOutcome == TestOutcome.Failed || t.Verdict.Flaky).ToList();
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var histories = await TestHistoryReader.LatestOfAllAsync(db, [.. failing.Select(t => t.Key)], Rule.Window, cancellationToken);
        var failures = failing
            .Select(t => (Test: t, Failure: TestVerdict.PerRun(histories[t.Key]).FirstOrDefault(r => r.Outcome == TestOutcome.Failed)))
            .Where(p => p.Failure is not null)
            .Select(p => new TestFailure(p.Test, p.Failure!))
            .ToList();
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
