using Apex.Coverage.Web.Data;
using Apex.Coverage.Web.Results;
using Microsoft.EntityFrameworkCore;

namespace Apex.Coverage.Web.CiReports;

/// <summary>One run of a test on a branch: the run, its commit and when.</summary>
public sealed record RunPoint(long RunId, string? Commit, DateTimeOffset At);

/// <summary>
/// Where a failing test broke on its branch: the first run of its current red streak (and its
/// commit), and the last green run before it; null last green means it never passed there.
/// </summary>
public sealed record FirstFailure(TestKey Test, string? Branch, RunPoint FirstRed, RunPoint? LastGreen, int RedRuns);

/// <summary>
/// Finds the first failing commit of a failing test by walking its results on one branch back
/// from the newest: failed runs make the streak, a pass ends it, skipped runs are no evidence.
/// </summary>
public sealed class FirstFailureFinder(IDbContextFactory<CoverageDbContext> databases)
{
    /// <summary>How far back the walk reads, in results.</summary>
    public const int Depth = 500;

    /// <summary>The first failure, or null when the test's latest decided result on the branch is not a failure.</summary>
    public async Task<FirstFailure?> FindAsync(TestKey test, string? branch, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var rows = await (from r in db.TestResults.AsNoTracking()
                          join run in db.TestRuns.AsNoTracking() on r.RunId equals run.Id
                          where r.SuiteName == test.Suite && r.FullyQualifiedName == test.FullyQualifiedName
                                && (branch == null ? run.Branch == null : run.Branch == branch)
                          orderby r.RunId descending
                          select new { r.RunId, r.Outcome, run.Commit, At = run.FinishedAt ?? run.CreatedAt })
            .Take(Depth).ToListAsync(cancellationToken);
        var perRun = rows.GroupBy(r => r.RunId)
            .Select(g => (Point: new RunPoint(g.Key, g.First().Commit, g.First().At),
                Outcome: g.Any(r => r.Outcome == TestOutcome.Failed) ? TestOutcome.Failed
                    : g.Any(r => r.Outcome == TestOutcome.Passed) ? TestOutcome.Passed : TestOutcome.Skipped))
            .ToList();
        return Walk(test, branch, perRun);
    }

    /// <summary>The walk itself, over one outcome per run, newest first. Pure.</summary>
    public static FirstFailure? Walk(TestKey test, string? branch, IReadOnlyList<(RunPoint Point, TestOutcome Outcome)> newestFirst)
    {
        RunPoint? firstRed = null;
        var red = 0;
        foreach (var (point, outcome) in newestFirst)
        {
            if (outcome == TestOutcome.Failed)
            {
                (firstRed, red) = (point, red + 1);
            }
            else if (outcome == TestOutcome.Passed)
            {
                return firstRed is null ? null : new FirstFailure(test, branch, firstRed, point, red);
            }
        }

        return firstRed is null ? null : new FirstFailure(test, branch, firstRed, null, red);
    }
}
