using Apex.Coverage.Web.Data;
using Apex.Coverage.Web.Results;
using Microsoft.EntityFrameworkCore;
using TestOutcome = Apex.Coverage.Web.Results.TestOutcome;
using TestResult = Apex.Coverage.Web.Results.TestResult;

namespace Apex.Coverage.Tests.CiReports;

/// <summary>Stores discovered tests and finished CI runs (with commit and branch) for the CI report tests.</summary>
internal static class StoredRuns
{
    public const string Suite = "l2";

    public static async Task DiscoverAsync(IDbContextFactory<CoverageDbContext> databases, string name, string items)
    {
        await using var db = await databases.CreateDbContextAsync();
        db.DiscoveredTests.Add(new DiscoveredTest
        {
            SuiteName = Suite, FullyQualifiedName = name, DisplayName = name, PlanItems = items,
            FirstSeenAt = DateTimeOffset.UnixEpoch, LastSeenAt = DateTimeOffset.UnixEpoch,
        });
        await db.SaveChangesAsync();
    }

    /// <summary>One finished run on <paramref name="branch"/> at <paramref name="commit"/>; outcomes "P" or "F" per test name.</summary>
    public static async Task<long> RunAsync(IDbContextFactory<CoverageDbContext> databases, string branch, string commit, params (string Name, string Outcome)[] results)
    {
        await using var db = await databases.CreateDbContextAsync();
        var at = DateTimeOffset.UtcNow;
        var run = new TestRun
        {
            SuiteName = Suite, Source = RunSource.Ci, Commit = commit, Branch = branch, CreatedAt = at, StartedAt = at, FinishedAt = at.AddSeconds(30),
            Total = results.Length, Passed = results.Count(r => r.Outcome == "P"), Failed = results.Count(r => r.Outcome == "F"),
            Status = results.Any(r => r.Outcome == "F") ? RunStatus.Failed : RunStatus.Passed,
        };
        run.Results.AddRange(results.Select((r, i) => new TestResult
        {
            ResultKey = $"{i}", FullyQualifiedName = r.Name, DisplayName = r.Name,
            Outcome = r.Outcome == "F" ? TestOutcome.Failed : TestOutcome.Passed, DurationSeconds = 1.5,
            ErrorMessage = r.Outcome == "F" ? "boom" : null, Commit = commit, RecordedAt = at,
        }));
        db.TestRuns.Add(run);
        await db.SaveChangesAsync();
        return run.Id;
    }
}
