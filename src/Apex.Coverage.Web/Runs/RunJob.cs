using System.ComponentModel;
using Apex.Coverage.Web.Data;
using Apex.Coverage.Web.Results;
using Hangfire;
using Microsoft.EntityFrameworkCore;

namespace Apex.Coverage.Web.Runs;

/// <summary>
/// The Hangfire job behind every run: it takes ids, never entities, and is safe to run twice.
/// Under the suite's distributed lock it executes the suite's queued runs oldest first up to its
/// own, so runs of one suite never overlap and start in the order they were asked for — also with
/// several dashboard nodes sharing one queue. A run already claimed or finished is skipped.
/// </summary>
public sealed class RunJob(IDbContextFactory<CoverageDbContext> databases, RunExecutor executor, JobStorage storage, SuiteLockTimeout lockTimeout)
{
    [DisplayName("Run {1} of suite {0}")]
    [AutomaticRetry(Attempts = 3, OnAttemptsExceeded = AttemptsExceededAction.Delete)]
    public async Task ExecuteAsync(string suite, long runId, CancellationToken cancellationToken)
    {
        using var connection = storage.GetConnection();
        using var suiteLock = connection.AcquireDistributedLock($"apex:suite:{suite.ToLowerInvariant()}", lockTimeout.For(suite));
        while (!cancellationToken.IsCancellationRequested && await NextQueuedAsync(suite, runId, cancellationToken) is { } next)
        {
            await executor.ExecuteAsync(next, cancellationToken);
        }
    }

    private async Task<long?> NextQueuedAsync(string suite, long upTo, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        return await db.TestRuns
            .Where(r => r.SuiteName == suite && r.Status == RunStatus.Queued && r.Source != RunSource.Ci && r.Id <= upTo)
            .OrderBy(r => r.Id).Select(r => (long?)r.Id).FirstOrDefaultAsync(cancellationToken);
    }
}

/// <summary>How long a run waits for the one before it: that run's own timeout and some slack.</summary>
public sealed class SuiteLockTimeout(Suites.SuiteCatalog suites)
{
    public TimeSpan For(string suite) => (suites.Find(suite)?.RunTimeout ?? TimeSpan.FromMinutes(30)) + TimeSpan.FromMinutes(5);
}
