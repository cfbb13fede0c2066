using Apex.Coverage.Web.Analytics;
using Apex.Coverage.Web.Data;
using Apex.Coverage.Web.Results;
using Apex.Coverage.Web.Runs;
using Apex.Coverage.Web.Suites;
using Microsoft.EntityFrameworkCore;

namespace Apex.Coverage.Tests.Analytics;

/// <summary>Builds test histories and stores runs, results and discovered tests for the analytics tests.</summary>
internal static class History
{
    public const string P = "P";
    public const string F = "F";
    public const string S = "S";

    /// <summary>A history from outcomes oldest first ("P", "F", "S"), one run each, on the given commits (or none).</summary>
    public static List<RecordedOutcome> Of(string outcomes, params string?[] commits)
    {
        var letters = outcomes.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return [.. letters.Select((o, i) => new RecordedOutcome(
                i + 1, Outcome(o), commits.Length == 0 ? null : commits[Math.Min(i, commits.Length - 1)], 1.5, o == F ? $"failed {i}" : null,
                DateTimeOffset.UnixEpoch.AddMinutes(i)))
            .Reverse()];
    }

    public static TestOutcome Outcome(string letter) => letter switch
    {
        P => TestOutcome.Passed,
        F => TestOutcome.Failed,
        S => TestOutcome.Skipped,
        _ => TestOutcome.NotFound,
    };

    public static async Task DiscoverAsync(IDbContextFactory<CoverageDbContext> databases, string name, string items, string traits = "{}")
    {
        await using var db = await databases.CreateDbContextAsync();
        db.DiscoveredTests.Add(new DiscoveredTest
        {
            SuiteName = "l2", FullyQualifiedName = name, DisplayName = name, PlanItems = items, TraitsJson = traits,
            FirstSeenAt = DateTimeOffset.UnixEpoch, LastSeenAt = DateTimeOffset.UnixEpoch,
        });
        await db.SaveChangesAsync();
    }

    /// <summary>Stores one finished run of the whole suite with the given outcomes.</summary>
    public static async Task<long> RunAsync(
        IDbContextFactory<CoverageDbContext> databases, string? commit, params (string Name, string Outcome)[] results)
    {
        await using var db = await databases.CreateDbContextAsync();
        var at = DateTimeOffset.UtcNow;
        var run = new TestRun
        {
            SuiteName = "l2", Source = RunSource.Dashboard, Commit = commit, CreatedAt = at, StartedAt = at, FinishedAt = at.AddSeconds(42),
            Total = results.Length, Passed = results.Count(r => r.Outcome == P), Failed = results.Count(r => r.Outcome == F),
            Status = results.Any(r => r.Outcome == F) ? RunStatus.Failed : RunStatus.Passed,
        };
        run.Results.AddRange(results.Select((r, i) => new Web.Results.TestResult
        {
            ResultKey = $"{i}", FullyQualifiedName = r.Name, DisplayName = r.Name, Outcome = Outcome(r.Outcome),
            DurationSeconds = 2, ErrorMessage = r.Outcome == F ? $"Expected {i + 3} but was {i + 5}" : null, Commit = commit, RecordedAt = at,
        }));
        db.TestRuns.Add(run);
        await db.SaveChangesAsync();
        return run.Id;
    }
}
