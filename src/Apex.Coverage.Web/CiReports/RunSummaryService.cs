using Apex.Coverage.Web.Analytics;
using Apex.Coverage.Web.Data;
using Apex.Coverage.Web.Results;
using Microsoft.EntityFrameworkCore;

namespace Apex.Coverage.Web.CiReports;

/// <summary>
/// Gathers what a run changed: the report after it and before it (<see cref="HistoryAsOf"/>),
/// each of its tests' outcome against that test's previous result, and where each failing test
/// first failed on the run's branch.
/// </summary>
public sealed class RunSummaryService(IDbContextFactory<CoverageDbContext> databases, HistoryAsOf history, FirstFailureFinder firstFailures)
{
    /// <summary>The facts of run <paramref name="runId"/>, or null when there is no such run or no plan.</summary>
    public async Task<RunSummaryFacts?> FactsAsync(long runId, string baseUrl, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var run = await db.TestRuns.AsNoTracking().FirstOrDefaultAsync(r => r.Id == runId, cancellationToken);
        if (run is null || await history.ReportAsync(runId, cancellationToken) is not { } after)
        {
            return null;
        }

        var previous = await db.TestRuns.AsNoTracking().Where(r => r.Id < runId && r.FinishedAt != null)
            .OrderByDescending(r => r.Id).Select(r => (long?)r.Id).FirstOrDefaultAsync(cancellationToken);
        var before = previous is { } id ? await history.ReportAsync(id, cancellationToken) : null;
        var histories = await history.HistoriesAsync(db, runId, cancellationToken);
        var moves = Moves(runId, histories);
        var origins = new Dictionary<TestKey, FirstFailure>();
        foreach (var test in moves.NewFailures.Concat(moves.StillFailing).Take(RunSummary.MaxListed * 2))
        {
            if (await firstFailures.FindAsync(test, run.Branch, cancellationToken) is { } first)
            {
                origins[test] = first;
            }
        }

        var flaky = after.Tests.Where(t => t.Verdict.Flaky && histories.TryGetValue(t.Key, out var h) && h.Count > 0 && h[0].RunId == runId)
            .Select(t => t.Key).Order().ToList();
        return new RunSummaryFacts(run, after, before, moves.NewFailures, moves.StillFailing, moves.Fixed, flaky, origins, baseUrl.TrimEnd('/'));
    }

    /// <summary>Each test of the run against its previous decided result. Pure.</summary>
    public static (List<TestKey> NewFailures, List<TestKey> StillFailing, List<TestKey> Fixed) Moves(
        long runId, IReadOnlyDictionary<TestKey, List<RecordedOutcome>> histories)
    {
        var (newFailures, stillFailing, fixedTests) = (new List<TestKey>(), new List<TestKey>(), new List<TestKey>());
        foreach (var (test, rows) in histories.OrderBy(p => p.Key))
        {
            var runs = TestVerdict.PerRun(rows).ToList();
            if (runs.Count == 0 || runs[0].RunId != runId)
            {
                continue;
            }

            var earlier = runs.Skip(1).FirstOrDefault(r => r.Outcome is TestOutcome.Passed or TestOutcome.Failed)?.Outcome;
            switch (runs[0].Outcome)
            {
                case TestOutcome.Failed when earlier == TestOutcome.Failed:
                    stillFailing.Add(test);
                    break;
                case TestOutcome.Failed:
                    newFailures.Add(test);
                    break;
                case TestOutcome.Passed when earlier == TestOutcome.Failed:
                    fixedTests.Add(test);
                    break;
            }
        }

        return (newFailures, stillFailing, fixedTests);
    }
}
