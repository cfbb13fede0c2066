using Apex.Coverage.Web.Data;
using Apex.Coverage.Web.Results;
using Apex.Coverage.Web.Runs;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Apex.Coverage.Web.Analytics;

/// <summary>
/// What the latest whole-suite run changed: against the suite's previous whole-suite run, the new
/// failures and fixes (<see cref="RunComparison"/>), and the tests that are flaky now but were not
/// on their history before this run. <see cref="Previous"/> is null after the first full run.
/// </summary>
public sealed record SinceLastFullRun(TestRun Latest, TestRun? Previous, RunComparison? Changes, IReadOnlyList<string> NewFlaky)
{
    public int NewFailures => Changes?.NewFailures.Count ?? 0;

    public int Fixed => Changes?.Fixed.Count ?? 0;
}

public sealed class SinceLastFullRunReader(IDbContextFactory<CoverageDbContext> databases, IOptions<AnalyticsOptions> options)
{
    /// <summary>Null before any whole-suite run has ended.</summary>
    public Task<SinceLastFullRun?> ReadAsync(CoverageReport report, CancellationToken cancellationToken = default) =>
        ReadAsync(report.Tests, cancellationToken);

    /// <summary>The same, judging "newly flaky" among <paramref name="tests"/> (the report's tests).</summary>
    public async Task<SinceLastFullRun?> ReadAsync(IEnumerable<TestCoverage> tests, CancellationToken cancellationToken = default)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var latest = await WholeSuiteRuns.Of(db).AsNoTracking().OrderByDescending(r => r.Id).FirstOrDefaultAsync(cancellationToken);
        if (latest is null)
        {
            return null;
        }

        var previous = await WholeSuiteRuns.Of(db).AsNoTracking()
            .Where(r => r.SuiteName == latest.SuiteName && r.Id < latest.Id)
            .OrderByDescending(r => r.Id).FirstOrDefaultAsync(cancellationToken);
        var changes = previous is null ? null
            : RunComparison.Of(await ResultsAsync(db, previous.Id, cancellationToken), await ResultsAsync(db, latest.Id, cancellationToken));
        return new SinceLastFullRun(latest, previous, changes, await NewFlakyAsync(db, tests, latest, cancellationToken));
    }

    private static Task<List<TestResult>> ResultsAsync(CoverageDbContext db, long runId, CancellationToken cancellationToken) =>
        db.TestResults.AsNoTracking().Where(r => r.RunId == runId).ToListAsync(cancellationToken);

    // Flaky tests are few; each is judged again on its history without the latest run's results.
    private async Task<IReadOnlyList<string>> NewFlakyAsync(CoverageDbContext db, IEnumerable<TestCoverage> tests, TestRun latest, CancellationToken cancellationToken)
    {
        var rule = options.Value.Rule;
        var newFlaky = new List<string>();
        foreach (var test in tests.Where(t => t.Verdict.Flaky && t.Suite == latest.SuiteName))
        {
            var history = await TestHistoryReader.LatestAsync(db, test.Key, rule.Window + 1, cancellationToken);
            if (!TestVerdict.Judge([.. history.Where(h => h.RunId < latest.Id)], rule).Flaky)
            {
                newFlaky.Add(test.FullyQualifiedName);
            }
        }

        return newFlaky;
    }
}
