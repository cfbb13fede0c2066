using Apex.Coverage.Web.Analytics;
using Apex.Coverage.Web.Data;
using Apex.Coverage.Web.Plan;
using Apex.Coverage.Web.Results;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Apex.Coverage.Web.CiReports;

/// <summary>
/// The coverage report as it stood right after a given run: each suite's last window of finished
/// runs up to that run id, their results, and the known tests, through the same
/// <see cref="CoverageCalculator"/>. Quarantines are today's (they are not versioned).
/// </summary>
public sealed class HistoryAsOf(IDbContextFactory<CoverageDbContext> databases, PlanCatalog catalog, IOptions<AnalyticsOptions> options, TimeProvider time)
{
    public FlakinessRule Rule => options.Value.Rule;

    /// <summary>
    /// The report after run <paramref name="runId"/> (inclusive), or null without a plan. With
    /// <paramref name="branch"/>, only runs on that branch and runs without one (the dashboard's own) count.
    /// </summary>
    public async Task<CoverageReport?> ReportAsync(long runId, CancellationToken cancellationToken, string? branch = null)
    {
        if (catalog.Current is not { } plan)
        {
            return null;
        }

        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var histories = await HistoriesAsync(db, runId, cancellationToken, branch);
        var known = await TestCatalog.DescribeAsync(db, null, cancellationToken);
        var quarantined = await TestHistoryReader.QuarantinedAsync(db, cancellationToken);
        var tests = known.Keys.Union(histories.Keys).Distinct().Select(key => new TestCoverage(
                key.FullyQualifiedName, known.GetValueOrDefault(key)?.PlanItems ?? [],
                TestVerdict.Judge(histories.GetValueOrDefault(key) ?? [], Rule, quarantined.Contains(key.FullyQualifiedName)),
                quarantined.Contains(key.FullyQualifiedName)) { Suite = key.Suite })
            .ToList();
        return CoverageCalculator.Calculate(plan.Document, tests, null, Rule, time.GetUtcNow());
    }

    /// <summary>Each test's results, newest first, over each suite's last window of finished runs up to <paramref name="runId"/>.</summary>
    public async Task<Dictionary<TestKey, List<RecordedOutcome>>> HistoriesAsync(
        CoverageDbContext db, long runId, CancellationToken cancellationToken, string? branch = null)
    {
        var window = Rule.Window;
        var runs = await db.TestRuns.AsNoTracking()
            .Where(r => r.Id <= runId && r.FinishedAt != null && (branch == null || r.Branch == null || r.Branch == branch))
            .OrderByDescending(r => r.Id).Take(window * 20)
            .Select(r => new { r.Id, r.SuiteName }).ToListAsync(cancellationToken);
        var ids = runs.GroupBy(r => r.SuiteName).SelectMany(g => g.Take(window)).Select(r => r.Id).ToList();
        var rows = await db.TestResults.AsNoTracking().Where(r => ids.Contains(r.RunId))
            .OrderByDescending(r => r.RunId).ThenByDescending(r => r.Id)
            .Select(r => new { r.SuiteName, r.FullyQualifiedName, Row = new RecordedOutcome(r.RunId, r.Outcome, r.Commit, r.DurationSeconds, r.ErrorMessage, r.RecordedAt) })
            .ToListAsync(cancellationToken);
        return rows.GroupBy(r => new TestKey(r.SuiteName, r.FullyQualifiedName)).ToDictionary(g => g.Key, g => g.Select(r => r.Row).ToList());
    }
}
