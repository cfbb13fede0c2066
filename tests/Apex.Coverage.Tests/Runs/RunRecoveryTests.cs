using Apex.Coverage.Tests.Fixtures;
using Apex.Coverage.Web.Data;
using Apex.Coverage.Web.Results;
using Apex.Coverage.Web.Runs;
using Microsoft.EntityFrameworkCore;
using TestResult = Apex.Coverage.Web.Results.TestResult;

namespace Apex.Coverage.Tests.Runs;

/// <summary>What a restart of the dashboard does to the runs it left behind.</summary>
[Collection(RunnerCollection.Name)]
public sealed class RunRecoveryTests(RunnerHost host)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Startup_InterruptsRunningRunKeepingItsResultsAndRunsQueuedOne_WhenDashboardRestarts()
    {
        var folder = TempFolder.Create("apex-recovery");
        var (running, queued, ci) = await SeedAsync(folder);

        await using var factory = new RunnerHostFactory(host.Build.Assembly, folder);
        _ = factory.Server;
        var rerun = await factory.WaitForEndAsync(queued);
        await using var db = factory.Database();
        var interrupted = await db.TestRuns.AsNoTracking().SingleAsync(r => r.Id == running, Ct);
        var kept = await db.TestResults.AsNoTracking().Where(r => r.RunId == running).ToListAsync(Ct);
        var untouched = await db.TestRuns.AsNoTracking().SingleAsync(r => r.Id == ci, Ct);

        Assert.Equal(RunStatus.Interrupted, interrupted.Status);
        Assert.NotNull(interrupted.FinishedAt);
        Assert.Equal("kept", Assert.Single(kept).ResultKey);
        Assert.Equal((RunStatus.Passed, 3), (rerun.Status, rerun.Total));
        Assert.Equal(RunStatus.Running, untouched.Status);
    }

    private static async Task<(long Running, long Queued, long Ci)> SeedAsync(string folder)
    {
        Directory.CreateDirectory(Path.Combine(folder, "data"));
        var options = new DbContextOptionsBuilder<CoverageDbContext>()
            .UseSqlite($"Data Source={Path.Combine(folder, "data", "coverage.db")};Pooling=False").Options;
        await using var db = new CoverageDbContext(options);
        await db.Database.MigrateAsync(Ct);
        var now = DateTimeOffset.UtcNow;
        var selection = new ResolvedSelection(new HashSet<int> { 3 }, null);
        var running = new TestRun { SuiteName = RunnerHostFactory.Suite, Status = RunStatus.Running, CreatedAt = now, StartedAt = now, Total = 1, Passed = 1 };
        running.Results.Add(new TestResult { ResultKey = "kept", FullyQualifiedName = "A.B.C", DisplayName = "A.B.C", RecordedAt = now });
        var queued = new TestRun
        {
            SuiteName = RunnerHostFactory.Suite, Status = RunStatus.Queued, CreatedAt = now,
            SelectionJson = selection.Store(new RunSelection(PlanItems: [3])).ToJson(), TestCaseFilter = selection.TestCaseFilter,
        };
        // CI uploads belong to the ingestion side and are never recovered here.
        var ci = new TestRun { SuiteName = "ci-suite", Source = RunSource.Ci, Status = RunStatus.Running, CreatedAt = now };
        db.TestRuns.AddRange(running, queued, ci);
        await db.SaveChangesAsync(Ct);
        return (running.Id, queued.Id, ci.Id);
    }
}
