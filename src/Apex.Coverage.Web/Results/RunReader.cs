using Apex.Coverage.Web.Data;
using Microsoft.EntityFrameworkCore;

namespace Apex.Coverage.Web.Results;

/// <summary>
/// The runs questions, written once for the API and the pages alike: a page of runs newest
/// first, one run, and one run's results in the order they were recorded.
/// </summary>
public sealed class RunReader(IDbContextFactory<CoverageDbContext> databases)
{
    public async Task<List<TestRun>> ListAsync(int skip, int take, CancellationToken cancellationToken = default)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        return await db.TestRuns.AsNoTracking().OrderByDescending(r => r.Id).Skip(skip).Take(take).ToListAsync(cancellationToken);
    }

    public async Task<TestRun?> FindAsync(long id, CancellationToken cancellationToken = default)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        return await db.TestRuns.AsNoTracking().FirstOrDefaultAsync(r => r.Id == id, cancellationToken);
    }

    /// <summary>The suite's other runs that have results, newest first: what a run can be compared with.</summary>
    public async Task<List<TestRun>> ComparableAsync(string suite, long exceptId, int take, CancellationToken cancellationToken = default)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        return await db.TestRuns.AsNoTracking()
            .Where(r => r.SuiteName == suite && r.Id != exceptId && r.Total > 0)
            .OrderByDescending(r => r.Id).Take(take).ToListAsync(cancellationToken);
    }

    /// <summary>The runs that have not ended yet (queued, building or running), newest first.</summary>
    public async Task<List<TestRun>> UnfinishedAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        return await db.TestRuns.AsNoTracking()
            .Where(r => r.Status == RunStatus.Queued || r.Status == RunStatus.Building || r.Status == RunStatus.Running)
            .OrderByDescending(r => r.Id).ToListAsync(cancellationToken);
    }

    public async Task<List<TestResult>> ResultsAsync(long runId, CancellationToken cancellationToken = default)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        return await db.TestResults.AsNoTracking().Where(r => r.RunId == runId).OrderBy(r => r.Id).ToListAsync(cancellationToken);
    }
}
