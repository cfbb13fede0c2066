using Apex.Coverage.Tests.Fixtures;
using Apex.Coverage.Web.Analytics;
using Apex.Coverage.Web.Results;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using TestOutcome = Apex.Coverage.Web.Results.TestOutcome;
using TestResult = Apex.Coverage.Web.Results.TestResult;

namespace Apex.Coverage.Tests.Analytics;

/// <summary>Whole-suite runs (not CI uploads, not selections) make the suite's duration and "since the last full run".</summary>
public sealed class SinceLastFullRunTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 11, 1, 2, 0, 0, TimeSpan.Zero);
    private TestDatabase _database = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _database = await TestDatabase.CreateAsync();

    public async ValueTask DisposeAsync() => await _database.DisposeAsync();

    private async Task<long> SeedAsync(RunSource source, string? filter, int seconds, params (string Name, TestOutcome Outcome)[] results)
    {
        await using var db = _database.CreateDbContext();
        var run = new TestRun
        {
            SuiteName = "L2", Source = source, TestCaseFilter = filter, Status = results.Any(r => r.Outcome == TestOutcome.Failed) ? RunStatus.Failed : RunStatus.Passed,
            CreatedAt = Start, StartedAt = Start, FinishedAt = Start.AddSeconds(seconds), Total = results.Length,
        };
        run.Results.AddRange(results.Select(r => new TestResult { ResultKey = r.Name, FullyQualifiedName = r.Name, DisplayName = r.Name, Outcome = r.Outcome, RecordedAt = Start }));
        db.TestRuns.Add(run);
        await db.SaveChangesAsync(Ct);
        return run.Id;
    }

    [Fact]
    public async Task ReadAsync_ComparesTheLastTwoWholeSuiteRuns_WhenUploadsAndSelectionsCameBetween()
    {
        var first = await SeedAsync(RunSource.Dashboard, null, 300, ("A.Breaks", TestOutcome.Passed), ("A.Heals", TestOutcome.Failed));
        await SeedAsync(RunSource.Dashboard, null, 0);
        var latest = await SeedAsync(RunSource.Schedule, null, 240, ("A.Breaks", TestOutcome.Failed), ("A.Heals", TestOutcome.Passed));
        await SeedAsync(RunSource.Dashboard, "PlanId=3", 5, ("A.Breaks", TestOutcome.Passed));
        await SeedAsync(RunSource.Ci, null, 0, ("A.Heals", TestOutcome.Passed));

        var since = await new SinceLastFullRunReader(_database, Options.Create(new AnalyticsOptions())).ReadAsync([], Ct);

        Assert.NotNull(since);
        Assert.Equal((latest, first), (since.Latest.Id, since.Previous?.Id));
        Assert.Equal((1, 1), (since.NewFailures, since.Fixed));
        await using var db = _database.CreateDbContext();
        Assert.Equal(240, await TestHistoryReader.LastSuiteSecondsAsync(db, Ct));
    }

    [Fact]
    public async Task ReadAsync_IsNull_WhenOnlyUploadsAndSelectionsRan()
    {
        await SeedAsync(RunSource.Ci, null, 0, ("A.B", TestOutcome.Passed));
        await SeedAsync(RunSource.Api, "PlanId=1", 3, ("A.B", TestOutcome.Passed));

        Assert.Null(await new SinceLastFullRunReader(_database, Options.Create(new AnalyticsOptions())).ReadAsync([], Ct));
        await using var db = _database.CreateDbContext();
        Assert.Null(await TestHistoryReader.LastSuiteSecondsAsync(db, Ct));
    }
}
