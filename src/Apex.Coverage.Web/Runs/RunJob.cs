using System.ComponentModel;
using Apex.Coverage.Web.Data;
using Apex.Coverage.Web.Results;
using Apex.Coverage.Web.Suites;
using Hangfire;
using Hangfire.Storage;
using Microsoft.EntityFrameworkCore;

namespace Apex.Coverage.Web.Runs;

/// <summary>
/// The Hangfire job behind every run: it takes ids, never entities, and is safe to run twice.
/// Under the suite's distributed lock it executes the suite's queued runs oldest first up to its
/// own, so runs of one suite never overlap and start in the order they were asked for — also with
/// several dashboard nodes sharing one queue. A run already claimed or finished is skipped. The
/// lock is tried, never waited for: when another node holds it (it is running this suite), the
/// job is scheduled again after <see cref="RetryDelay"/> and the worker is free at once, so no
/// worker ever blocks for the length of someone else's run.
/// </summary>
public sealed class RunJob(IDbContextFactory<CoverageDbContext> databases, RunExecutor executor, JobStorage storage, IBackgroundJobClient jobs)
{
    public static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(5);

    [DisplayName("Run {1} of suite {0}")]
    [AutomaticRetry(Attempts = 3, OnAttemptsExceeded = AttemptsExceededAction.Delete)]
    public async Task ExecuteAsync(string suite, long runId, CancellationToken cancellationToken)
    {
        using var connection = storage.GetConnection();
        IDisposable suiteLock;
        try
        {
            suiteLock = connection.AcquireDistributedLock(LockName(suite), TimeSpan.Zero);
        }
        catch (Exception error) when (error is DistributedLockTimeoutException or Hangfire.PostgreSql.PostgreSqlDistributedLockException)
        {
            jobs.Schedule<RunJob>(SuiteQueue.NameOf(suite), job => job.ExecuteAsync(suite, runId, CancellationToken.None), RetryDelay);
            return;
        }

        using (suiteLock)
        {
            while (!cancellationToken.IsCancellationRequested && await NextQueuedAsync(suite, runId, cancellationToken) is { } next)
            {
                await executor.ExecuteAsync(next, cancellationToken);
            }
        }
    }

    public static string LockName(string suite) => $"apex:suite:{suite.ToLowerInvariant()}";

    private async Task<long?> NextQueuedAsync(string suite, long upTo, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        return await db.TestRuns
            .Where(r => r.SuiteName == suite && r.Status == RunStatus.Queued && r.Source != RunSource.Ci && r.Id <= upTo)
            .OrderBy(r => r.Id).Select(r => (long?)r.Id).FirstOrDefaultAsync(cancellationToken);
    }
}
