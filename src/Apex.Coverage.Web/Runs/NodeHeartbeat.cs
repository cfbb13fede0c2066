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
        var name = options.Value.Name;
        var now = time.GetUtcNow();
        // Only this node writes its row, so update-then-insert has no one to race with.
        if (await db.DashboardNodes.Where(n => n.Name == name).ExecuteUpdateAsync(
                s => s.SetProperty(n => n.HeartbeatAt, now).SetProperty(n => n.StartedAt, n => starting ? _startedAt : n.StartedAt), cancellationToken) == 0)
        {
            db.DashboardNodes.Add(new DashboardNode { Name = name, StartedAt = _startedAt, HeartbeatAt = now });
            await db.SaveChangesAsync(cancellationToken);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Runs of dead nodes interrupted: {Count}")]
    private partial void LogDeadNodeRuns(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The node heartbeat failed; trying again at the next beat")]
    private partial void LogBeatFailed(Exception error);
}
