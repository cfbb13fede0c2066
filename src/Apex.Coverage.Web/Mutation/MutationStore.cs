using System.Data.Common;
using Apex.Coverage.Web.Data;
using Apex.Coverage.Web.Runs;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Apex.Coverage.Web.Mutation;

/// <summary>The mutation runs as stored: a short-lived context per operation.</summary>
public sealed class MutationStore(IDbContextFactory<CoverageDbContext> databases, IOptions<NodeOptions> nodes, TimeProvider clock)
{
    public async Task<MutationRun> QueueAsync(string suite, int planItem, string source, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var run = new MutationRun { Suite = suite, PlanItem = planItem, Source = source, RequestedAt = clock.GetUtcNow() };
        db.MutationRuns.Add(run);
        await db.SaveChangesAsync(cancellationToken);
        return run;
    }

    public async Task<MutationRun?> FindAsync(long id, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        return await db.MutationRuns.AsNoTracking().Include(r => r.Files).Include(r => r.Survivors).SingleOrDefaultAsync(r => r.Id == id, cancellationToken);
    }

    public async Task<IReadOnlyList<MutationRun>> ListAsync(int take, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        return await db.MutationRuns.AsNoTracking().OrderByDescending(r => r.Id).Take(take).ToListAsync(cancellationToken);
    }

    /// <summary>The oldest queued run, if no run of the suite is running (one at a time per suite).</summary>
    public async Task<MutationRun?> NextAsync(CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var running = await db.MutationRuns.Where(r => r.Status == MutationRunStatus.Running).Select(r => r.Suite).ToListAsync(cancellationToken);
        return await db.MutationRuns.AsNoTracking().Where(r => r.Status == MutationRunStatus.Queued && !running.Contains(r.Suite))
            .OrderBy(r => r.Id).FirstOrDefaultAsync(cancellationToken);
    }

    /// <summary>
    /// Moves a run from one status to another in one statement; false when it was no longer in the
    /// first (a cancel won, or another node's worker took the queued run first). Moving to running
    /// is the claim: it records this node (Nodes:Name) and also requires that no run of the suite is
    /// running on any node (ADR 0285).
    /// </summary>
    public async Task<bool> MoveAsync(long id, string from, string to, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var now = clock.GetUtcNow();
        var claim = to == MutationRunStatus.Running;
        var me = nodes.Value.Name;
        var runs = db.MutationRuns.Where(r => r.Id == id && r.Status == from);
        if (claim)
        {
            runs = runs.Where(r => !db.MutationRuns.Any(o => o.Suite == r.Suite && o.Status == MutationRunStatus.Running));
        }

        try
        {
            var moved = await runs.ExecuteUpdateAsync(s =>
            {
                s.SetProperty(r => r.Status, to);
                if (claim) s.SetProperty(r => r.StartedAt, now).SetProperty(r => r.Node, me);
                if (MutationRunStatus.IsFinished(to)) s.SetProperty(r => r.FinishedAt, now);
            }, cancellationToken);
            return moved > 0;
        }
        catch (DbException error) when (claim && IsUniqueViolation(error))
        {
            // Another node claimed a run of the same suite in the same moment (its claim was not yet
            // committed when this one's NOT EXISTS looked); the unique index on running runs stopped this one.
            return false;
        }
    }

    private static bool IsUniqueViolation(DbException error) =>
        error is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } or SqliteException { SqliteErrorCode: 19 };

    /// <summary>The run's stored status; null when there is no such run.</summary>
    public async Task<string?> StatusAsync(long id, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        return await db.MutationRuns.Where(r => r.Id == id).Select(r => r.Status).FirstOrDefaultAsync(cancellationToken);
    }

    public async Task UpdateAsync(long id, Action<MutationRun> change, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var run = await db.MutationRuns.SingleAsync(r => r.Id == id, cancellationToken);
        change(run);
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>The item's latest completed run with its files and survivors (its current figures).</summary>
    public async Task<MutationRun?> LatestCompletedAsync(string suite, int planItem, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        return await db.MutationRuns.AsNoTracking().Include(r => r.Files).Include(r => r.Survivors)
            .Where(r => r.Suite == suite && r.PlanItem == planItem && r.Status == MutationRunStatus.Completed)
            .OrderByDescending(r => r.Id).FirstOrDefaultAsync(cancellationToken);
    }

    /// <summary>Every item's latest completed run, without files: what the verified MRR is computed from.</summary>
    public async Task<IReadOnlyList<MutationRun>> LatestPerItemAsync(string suite, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var completed = await db.MutationRuns.AsNoTracking()
            .Where(r => r.Suite == suite && r.Status == MutationRunStatus.Completed).ToListAsync(cancellationToken);
        return [.. completed.GroupBy(r => r.PlanItem).Select(g => g.MaxBy(r => r.Id)!)];
    }

    /// <summary>
    /// When each item's last mutation run ended, whatever its end (completed, over its budget, failed, canceled):
    /// the schedule's order, so an item whose runs never complete goes to the back instead of being tried every night.
    /// </summary>
    public async Task<IReadOnlyDictionary<int, DateTimeOffset>> LastAttemptPerItemAsync(string suite, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var ended = await db.MutationRuns.AsNoTracking().Where(r => r.Suite == suite && r.FinishedAt != null)
            .Select(r => new { r.PlanItem, r.FinishedAt }).ToListAsync(cancellationToken);
        return ended.GroupBy(r => r.PlanItem).ToDictionary(g => g.Key, g => g.Max(r => r.FinishedAt!.Value));
    }

    /// <summary>
    /// Ends the running runs that can no longer finish: this node's (it stopped mid-run), those
    /// claimed by no node (from before nodes were recorded) and those of dead nodes — the same rule
    /// as test runs (<see cref="RunRecovery"/>, <see cref="NodeLiveness"/>). A live other node's run
    /// is left running. Nothing was stored for the ended ones.
    /// </summary>
    public async Task<int> EndInterruptedAsync(CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var now = clock.GetUtcNow();
        var me = nodes.Value.Name;
        var alive = NodeLiveness.OthersAlive(db, nodes.Value, now);
        return await db.MutationRuns
            .Where(r => r.Status == MutationRunStatus.Running && (r.Node == null || r.Node == me || !alive.Contains(r.Node)))
            .ExecuteUpdateAsync(s => s
                .SetProperty(r => r.Status, MutationRunStatus.Failed)
                .SetProperty(r => r.FinishedAt, now)
                .SetProperty(r => r.Message, "The dashboard stopped during the run."), cancellationToken);
    }
}
