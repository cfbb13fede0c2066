using Apex.Coverage.Web.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Apex.Coverage.Web.Runs;

/// <summary>
/// Writes this node's heartbeat (DashboardNodes) when the host starts and every
/// Nodes:HeartbeatInterval after, and on each beat lets <see cref="RunRecovery"/> end the runs of
/// nodes whose heartbeat is older than Nodes:DeadAfter. A failed beat (the store away for a moment)
/// is logged and the next one tried; it never stops the node.
/// </summary>
internal sealed partial class NodeHeartbeat(
    IDbContextFactory<CoverageDbContext> databases,
    RunRecovery recovery,
    IOptions<NodeOptions> options,
    TimeProvider time,
    ILogger<NodeHeartbeat> logger) : BackgroundService
{
    private readonly DateTimeOffset _startedAt = time.GetUtcNow();

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await BeatAsync(cancellationToken, starting: true);
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.HeartbeatInterval, time);
        while (await WaitAsync(timer, stoppingToken))
        {
            try
            {
                await BeatAsync(stoppingToken, starting: false);
                if (await recovery.InterruptDeadNodesRunsAsync(stoppingToken) is > 0 and var ended)
                {
                    LogDeadNodeRuns(ended);
                }
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                LogBeatFailed(error);
            }
        }
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private async Task BeatAsync(CancellationToken cancellationToken, bool starting)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var now = time.GetUtcNow();
        if (await TouchAsync(db, now, starting, cancellationToken) > 0) return;
        db.DashboardNodes.Add(new DashboardNode { Name = options.Value.Name, StartedAt = _startedAt, HeartbeatAt = now });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Another process of the same node name (two hosts on one store, e.g. a restart that
            // overlaps the old process) inserted the row first: it is updated instead.
            if (await TouchAsync(db, now, starting, cancellationToken) == 0) throw;
        }
    }

    private Task<int> TouchAsync(CoverageDbContext db, DateTimeOffset now, bool starting, CancellationToken cancellationToken)
    {
        var name = options.Value.Name;
        return db.DashboardNodes.Where(n => n.Name == name).ExecuteUpdateAsync(
            s => s.SetProperty(n => n.HeartbeatAt, now).SetProperty(n => n.StartedAt, n => starting ? _startedAt : n.StartedAt), cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Runs of dead nodes interrupted: {Count}")]
    private partial void LogDeadNodeRuns(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The node heartbeat failed; trying again at the next beat")]
    private partial void LogBeatFailed(Exception error);
}
