using Apex.Coverage.Web.Data;
using Apex.Coverage.Web.Results;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Apex.Coverage.Web.Runs;

/// <summary>
/// Ends the runs that can no longer finish, and only those. At start-up, before the job servers:
/// the runs this node (Nodes:Name) left building or running, runs claimed by no node (from before
/// nodes were recorded) and runs of dead nodes become interrupted, their recorded results kept;
/// runs of live nodes are left alone. Queued runs are queued again, since the in-memory job storage
/// forgot them (with persistent storage the job is already there and the second one finds nothing
/// to do). While running, <see cref="NodeHeartbeat"/> calls <see cref="InterruptDeadNodesRunsAsync"/>
/// so a survivor ends a dead node's runs. CI runs are never touched.
/// </summary>
internal sealed partial class RunRecovery(
    IDbContextFactory<CoverageDbContext> databases,
    RunRequests requests,
    RunNotifier notifier,
    IOptions<NodeOptions> nodes,
    TimeProvider time,
    ILogger<RunRecovery> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var interrupted = await InterruptAsync(ownToo: true, cancellationToken);
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var queued = await db.TestRuns.Where(r => r.Status == RunStatus.Queued && r.Source != RunSource.Ci)
            .OrderBy(r => r.Id).Select(r => new { r.Id, r.SuiteName }).ToListAsync(cancellationToken);
        foreach (var run in queued)
        {
            requests.Enqueue(run.SuiteName, run.Id);
        }

        LogRecovered(nodes.Value.Name, interrupted, queued.Count);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Interrupts the runs of nodes whose heartbeat stopped; this node's own runs are alive.</summary>
    public Task<int> InterruptDeadNodesRunsAsync(CancellationToken cancellationToken) => InterruptAsync(ownToo: false, cancellationToken);

    private async Task<int> InterruptAsync(bool ownToo, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var now = time.GetUtcNow();
        var me = nodes.Value.Name;
        var alive = NodeLiveness.OthersAlive(db, nodes.Value, now);
        var orphans = await db.TestRuns
            .Where(r => (r.Status == RunStatus.Building || r.Status == RunStatus.Running) && r.Source != RunSource.Ci)
            .Where(r => ownToo ? r.Node == null || r.Node == me || !alive.Contains(r.Node) : r.Node != null && r.Node != me && !alive.Contains(r.Node))
            .Select(r => new { r.Id, r.Node, r.ProcessMarker }).ToListAsync(cancellationToken);
        var ended = 0;
        foreach (var run in orphans)
        {
            var message = run.Node is null || run.Node == me
                ? "The dashboard stopped during the run; the results recorded until then are kept."
                : $"The node '{run.Node}' running it stopped sending heartbeats; the results recorded until then are kept.";
            // Only while it is still unfinished: the node may have ended it after all.
            var changed = await db.TestRuns
                .Where(r => r.Id == run.Id && (r.Status == RunStatus.Building || r.Status == RunStatus.Running))
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, RunStatus.Interrupted)
                    .SetProperty(r => r.Message, message).SetProperty(r => r.FinishedAt, now), cancellationToken);
            if (changed > 0)
            {
                ended++;
                ReapOwn(run.Id, run.Node, run.ProcessMarker);
                notifier.Publish(new RunUpdate(run.Id, RunUpdateKind.Status));
                notifier.Publish(new RunUpdate(run.Id, RunUpdateKind.Ended));
            }
        }

        return ended;
    }

    // The test hosts of a run this node left behind (a kill -9 of the dashboard orphans them, and
    // they keep running the suite and its servers); another node's processes are not on this machine.
    private void ReapOwn(long runId, string? node, string? marker)
    {
        if (marker is not null && (node is null || node == nodes.Value.Name))
        {
            var killed = RunProcessReaper.Reap(marker);
            LogReaped(runId, killed);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId} interrupted: {Count} of its orphaned test processes ended")]
    private partial void LogReaped(long runId, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Runs recovered at start-up of node {Node}: {Interrupted} interrupted, {Queued} queued again")]
    private partial void LogRecovered(string node, int interrupted, int queued);
}
