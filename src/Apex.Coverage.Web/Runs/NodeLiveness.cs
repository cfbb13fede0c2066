using Apex.Coverage.Web.Data;

namespace Apex.Coverage.Web.Runs;

/// <summary>
/// Which other nodes are alive: their heartbeat (<see cref="NodeHeartbeat"/>) is newer than
/// Nodes:DeadAfter. The one rule for test runs (<see cref="RunRecovery"/>) and mutation runs alike.
/// </summary>
public static class NodeLiveness
{
    /// <summary>The names of the nodes other than this one whose heartbeat is recent, as a subquery.</summary>
    public static IQueryable<string> OthersAlive(CoverageDbContext db, NodeOptions node, DateTimeOffset now)
    {
        var me = node.Name;
        var deadline = now - node.DeadAfter;
        return db.DashboardNodes.Where(n => n.Name != me && n.HeartbeatAt >= deadline).Select(n => n.Name);
    }
}
