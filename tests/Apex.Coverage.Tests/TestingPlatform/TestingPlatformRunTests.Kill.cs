using System.Diagnostics;
using Apex.Coverage.Tests.Fixtures;
using Apex.Coverage.Tests.Runs;
using Apex.Coverage.Web.Data;
using Apex.Coverage.Web.Results;
using Microsoft.EntityFrameworkCore;
using TestOutcome = Apex.Coverage.Web.Results.TestOutcome;

namespace Apex.Coverage.Tests.TestingPlatform;

/// <summary>
/// A dashboard killed with -9 during a server-mode run runs no shutdown code: its test app and
/// the app's children live on. The dashboard started again ends them by the run's marker and marks
/// the run interrupted with what it had recorded.
/// </summary>
public sealed partial class TestingPlatformRunTests
{
    private const string KillSuite = "MtpKill";
    private const string Passes = "Apex.Fixture.Mtp.Xunit.MtpTests.Passes";

    [Fact]
    public async Task DashboardKilled_ReapsTheAppAndInterruptsTheRunKeepingItsResults_WhenTheDashboardStartsAgain()
    {
        var ct = TestContext.Current.CancellationToken;
        var folder = TempFolder.Create("apex-mtp-kill");
        // Only this test's processes carry it (and this test process's owner mark).
        var tag = $"APEX_KILL_TEST={Guid.NewGuid():N}";
        var settings = KillSettings(folder, tag);
        try
        {
            long id;
            await using (var dashboard = await DashboardProcess.StartAsync(folder, settings, ct))
            {
                var token = await DashboardProcess.CreateRunsTokenAsync(KillDatabase(folder));
                id = await dashboard.StartRunAsync(token, new { suite = KillSuite, planItems = new[] { 1, 3 } }, ct);
                // The hung test has started its child, and another test's result is stored.
                await Eventually.ThatAsync(() => Task.FromResult(ProcessTable.Carrying(tag, "sleep").Count()), n => n > 0, "the hung test's child", seconds: 180);
                await Eventually.ThatAsync(() => KilledRunResultsAsync(folder, id), r => r.Any(t => t.FullyQualifiedName == Passes), "a stored result", seconds: 120);
                Assert.NotEmpty(ProcessTable.Carrying(tag, "Apex.Fixture.Mtp.Xunit"));
                await dashboard.KillHardAsync(ct);
            }

            // Nothing of the dashboard ended them: the hung test's child outlives it.
            Assert.NotEmpty(ProcessTable.Carrying(tag, "sleep"));

            await using var restarted = await DashboardProcess.StartAsync(folder, settings, ct);
            var run = await Eventually.ThatAsync(() => KilledRunAsync(folder, id), r => r.Status != RunStatus.Running, "the run's recovery");
            await Eventually.ThatAsync(() => Task.FromResult(string.Join(' ', ProcessTable.Carrying(tag, string.Empty))), pids => pids.Length == 0,
                "the app and its child reaped by the restarted dashboard (the pids are those left)");
            Assert.Equal(RunStatus.Interrupted, run.Status);
            Assert.StartsWith("The dashboard stopped during the run", run.Message, StringComparison.Ordinal);
            var kept = await KilledRunResultsAsync(folder, id);
            Assert.Equal(TestOutcome.Passed, Assert.Single(kept, r => r.FullyQualifiedName == Passes).Outcome);
            Assert.DoesNotContain(kept, r => r.FullyQualifiedName.EndsWith(".Hangs", StringComparison.Ordinal));
        }
        finally
        {
            EndAllCarrying(tag);
            TempFolder.Delete(folder);
        }
    }

    private (string Key, string Value)[] KillSettings(string folder, string tag)
    {
        Directory.CreateDirectory(Path.Combine(folder, "data"));
        Directory.CreateDirectory(Path.Combine(folder, "plan"));
        File.Copy(PlanFixtures.PathOf(PlanFixtures.RealPlan), Path.Combine(folder, "plan", "plan.md"), overwrite: true);
        var (tagName, tagValue) = (tag.Split('=')[0], tag.Split('=')[1]);
        return
        [
            ("Data:ConnectionString", KillDatabase(folder)),
            ("Plan:Path", Path.Combine(folder, "plan", "plan.md")),
            ("Plan:Watch", "false"),
            ("Runs:DefaultSuite", KillSuite),
            ("Runs:ScheduleEditsPath", Path.Combine(folder, "data", "schedules.json")),
            ($"Suites:{KillSuite}:Assembly", host.XunitAssembly),
            ($"Suites:{KillSuite}:BuildBeforeRun", "false"),
            ($"Suites:{KillSuite}:Environment:APEX_FIXTURE_HANG", "1"),
            ($"Suites:{KillSuite}:Environment:{ProcessTable.OwnerVariable}", ProcessTable.Owner),
            ($"Suites:{KillSuite}:Environment:{tagName}", tagValue),
        ];
    }

    private static string KillDatabase(string folder) => $"Data Source={Path.Combine(folder, "data", "coverage.db")};Pooling=False";

    private static CoverageDbContext KillDb(string folder) =>
        new(new DbContextOptionsBuilder<CoverageDbContext>().UseSqlite(KillDatabase(folder)).Options);

    private static async Task<TestRun> KilledRunAsync(string folder, long id)
    {
        await using var db = KillDb(folder);
        return await db.TestRuns.AsNoTracking().SingleAsync(r => r.Id == id, TestContext.Current.CancellationToken);
    }

    private static async Task<List<Web.Results.TestResult>> KilledRunResultsAsync(string folder, long id)
    {
        await using var db = KillDb(folder);
        return await db.TestResults.AsNoTracking().Where(r => r.RunId == id).ToListAsync(TestContext.Current.CancellationToken);
    }

    // Whatever a failed test left behind; only this test's processes carry the tag.
    private static void EndAllCarrying(string tag)
    {
        foreach (var pid in ProcessTable.Carrying(tag, string.Empty))
        {
            try
            {
                using var process = Process.GetProcessById(pid);
                process.Kill(entireProcessTree: true);
            }
            catch (Exception error) when (error is ArgumentException or InvalidOperationException)
            {
                // Gone meanwhile.
            }
        }
    }
}
