using Apex.Coverage.Web.Data;
using Apex.Coverage.Web.Results;
using Microsoft.EntityFrameworkCore;

namespace Apex.Coverage.Web.Runs;

/// <summary>
/// On start-up, before the job server: a run this dashboard left building or running can no
/// longer finish, so it becomes interrupted (its recorded results stay); a queued run is queued
/// again, since the in-memory job storage forgot it (with persistent storage the job is already
/// there and the second one finds nothing to do). CI runs are never touched.
/// </summary>
internal sealed partial class RunRecovery(
    IDbContextFactory<CoverageDbContext> databases,
    RunRequests requests,
    TimeProvider time,
    ILogger<RunRecovery> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var now = time.GetUtcNow();
        var interrupted = await db.TestRuns
            .Where(r => (r.Status == RunStatus.Building || r.Status == RunStatus.Running) && r.Source != RunSource.Ci)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, RunStatus.Interrupted)
                .SetProperty(r => r.Message, "The dashboard stopped during the run; the results recorded until then are kept.")
                .SetProperty(r => r.FinishedAt, now), cancellationToken);
        var queued = await db.TestRuns.Where(r => r.Status == RunStatus.Queued && r.Source != RunSource.Ci)
            .OrderBy(r => r.Id).Select(r => new { r.Id, r.SuiteName }).ToListAsync(cancellationToken);
        foreach (var run in queued)
        {
            requests.Enqueue(run.SuiteName, run.Id);
        }

        LogRecovered(interrupted, queued.Count);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Runs recovered at start-up: {Interrupted} interrupted, {Queued} queued again")]
    private partial void LogRecovered(int interrupted, int queued);
}
