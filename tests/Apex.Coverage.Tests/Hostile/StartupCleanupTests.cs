using System.Diagnostics;
using Apex.Coverage.Tests.Ingestion;
using Apex.Coverage.Web.Data;
using Apex.Coverage.Web.Results;
using Apex.Coverage.Web.Runs;
using Microsoft.EntityFrameworkCore;

namespace Apex.Coverage.Tests.Hostile;

/// <summary>
/// After a kill -9, the restarted dashboard ends the test processes of the run it marks
/// interrupted and deletes the upload spool files no live process owns.
/// </summary>
public sealed class StartupCleanupTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Startup_EndsOrphanedProcessesOfInterruptedRun_WhenRunCarriesProcessMarker()
    {
        await using var factory = new IngestionHostFactory();
        var marker = RunProcessReaper.NewMarker(1);
        using var orphan = StartCarrying(marker);
        using var bystander = StartCarrying(RunProcessReaper.NewMarker(2));
        try
        {
            var runId = await SeedRunningRunAsync(factory.ConnectionString, marker);

            _ = factory.Server;

            using var waited = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            waited.CancelAfter(TimeSpan.FromSeconds(60));
            await orphan.WaitForExitAsync(waited.Token);
            Assert.False(bystander.HasExited, "a process of another run was ended");
            await using var db = factory.CreateDbContext();
            Assert.Equal(RunStatus.Interrupted, (await db.TestRuns.SingleAsync(r => r.Id == runId, Ct)).Status);
        }
        finally
        {
            bystander.Kill();
            if (!orphan.HasExited)
            {
                orphan.Kill();
            }
        }
    }

    [Fact]
    public async Task Startup_DeletesSpoolFilesOfDeadProcesses_WhenDashboardStarts()
    {
        var temp = Path.GetTempPath();
        var deadPid = await DeadPidAsync();
        var dead = Touch(Path.Combine(temp, $"apex-upload-{deadPid}-{Guid.NewGuid():N}.xml"));
        var oldUnowned = Touch(Path.Combine(temp, $"apex-upload-{Guid.NewGuid():N}.xml"), DateTime.UtcNow.AddHours(-2));
        var live = Touch(Path.Combine(temp, $"apex-upload-1-{Guid.NewGuid():N}.xml"));
        var recentUnowned = Touch(Path.Combine(temp, $"apex-upload-{Guid.NewGuid():N}.xml"));
        try
        {
            await using var factory = new IngestionHostFactory();
            _ = factory.Server;

            Assert.Equal((false, false), (File.Exists(dead), File.Exists(oldUnowned)));
            Assert.Equal((true, true), (File.Exists(live), File.Exists(recentUnowned)));
        }
        finally
        {
            File.Delete(live);
            File.Delete(recentUnowned);
        }
    }

    private static Process StartCarrying(string marker)
    {
        var start = new ProcessStartInfo("sleep", ["120"]) { UseShellExecute = false };
        start.Environment[RunProcessReaper.MarkerVariable] = marker;
        return Process.Start(start)!;
    }

    private static async Task<long> SeedRunningRunAsync(string connectionString, string marker)
    {
        var options = new DbContextOptionsBuilder<CoverageDbContext>().UseSqlite(connectionString).Options;
        Directory.CreateDirectory(Path.GetDirectoryName(new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(connectionString).DataSource)!);
        await using var db = new CoverageDbContext(options);
        await db.Database.MigrateAsync(Ct);
        var now = DateTimeOffset.UtcNow;
        var run = new TestRun { SuiteName = "L2", Status = RunStatus.Running, CreatedAt = now, StartedAt = now, ProcessMarker = marker };
        db.TestRuns.Add(run);
        await db.SaveChangesAsync(Ct);
        return run.Id;
    }

    private static async Task<int> DeadPidAsync()
    {
        using var process = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        await process.WaitForExitAsync(Ct);
        return process.Id;
    }

    private static string Touch(string path, DateTime? written = null)
    {
        File.WriteAllText(path, "<testsuites>");
        File.SetLastWriteTimeUtc(path, written ?? DateTime.UtcNow);
        return path;
    }
}
