using Apex.Coverage.Web.Data;
using Apex.Coverage.Web.Plan;
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

    /// <summary>One test's last <paramref name="runs"/> runs (one result per run, newest first) and its standing.</summary>
    public async Task<TestDetail?> GetTestAsync(string name, int runs, CancellationToken cancellationToken = default)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var mapping = await db.DiscoveredTests.AsNoTracking().Where(t => t.FullyQualifiedName == name)
            .Select(t => new { t.PlanItems, t.TraitsJson }).ToListAsync(cancellationToken);
        var history = await TestHistoryReader.LatestAsync(db, name, Math.Max(runs, Rule.Window), cancellationToken);
        if (mapping.Count == 0 && history.Count == 0)
        {
            return null;
        }

        var quarantine = await db.Quarantines.AsNoTracking()
            .FirstOrDefaultAsync(q => q.FullyQualifiedName == name && q.ReleasedAt == null, cancellationToken);
        var items = mapping.SelectMany(m => TestHistoryReader.ParseItems(m.PlanItems)).Distinct().Order().ToList();
        var test = new TestCoverage(name, items, TestVerdict.Judge(history, Rule, quarantine is not null), quarantine is not null);
        return new TestDetail(test, [.. TestVerdict.PerRun(history).Take(runs)], mapping.FirstOrDefault()?.TraitsJson ?? "{}", quarantine);
    }

    /// <summary>Each failing or flaky test's most recent failure in its window, grouped by normalised message.</summary>
    public async Task<List<FailureGroup>> GetFailureGroupsAsync(CoverageReport report, CancellationToken cancellationToken = default)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var failures = new List<TestFailure>();
        foreach (var test in report.Tests.Where(t => t.Verdict.LatestOutcome == Runs.TestOutcome.Failed || t.Verdict.Flaky))
        {
            var history = await TestHistoryReader.LatestAsync(db, test.FullyQualifiedName, Rule.Window, cancellationToken);
            if (TestVerdict.PerRun(history).FirstOrDefault(r => r.Outcome == Runs.TestOutcome.Failed) is { } failure)
            {
                failures.Add(new TestFailure(test, failure));
            }
        }

        return FailureGroups.Group(failures);
    }

    private async Task<List<TestCoverage>> ReadTestsAsync(CoverageDbContext db, CancellationToken cancellationToken)
    {
        var mappings = await TestHistoryReader.MappingsAsync(db, cancellationToken);
        var names = await TestHistoryReader.ResultNamesAsync(db, cancellationToken);
        var quarantined = await TestHistoryReader.QuarantinedAsync(db, cancellationToken);
        var known = mappings.Keys.Union(names, StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var histories = await TestHistoryReader.LatestOfAllAsync(db, known, Rule.Window, cancellationToken);
        var tests = new List<TestCoverage>();
        foreach (var name in known)
        {
            var history = histories[name];
            var isQuarantined = quarantined.Contains(name);
            var items = mappings.TryGetValue(name, out var mapping) ? mapping.Items : [];
            tests.Add(new TestCoverage(name, items, TestVerdict.Judge(history, Rule, isQuarantined), isQuarantined));
        }

        return tests;
    }
}
