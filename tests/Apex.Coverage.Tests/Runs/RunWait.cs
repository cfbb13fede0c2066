using Apex.Coverage.Web.Data;
using Apex.Coverage.Web.Results;
using Apex.Coverage.Web.Runs;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Apex.Coverage.Tests.Runs;

/// <summary>Waits on any dashboard host for a run to reach a state, woken by the run notifier rather than polling.</summary>
public static class RunWait
{
    public static async Task<TestRun> ForAsync(IServiceProvider services, long runId, Func<TestRun, bool> until, TimeSpan timeout)
    {
        var changed = new SemaphoreSlim(0);
        using var subscription = services.GetRequiredService<RunNotifier>().Subscribe(runId, _ => changed.Release());
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        deadline.CancelAfter(timeout);
        var databases = services.GetRequiredService<IDbContextFactory<CoverageDbContext>>();
        while (true)
        {
            await using (var db = await databases.CreateDbContextAsync(TestContext.Current.CancellationToken))
            {
                var run = await db.TestRuns.AsNoTracking().SingleAsync(r => r.Id == runId, TestContext.Current.CancellationToken);
                if (until(run))
                {
                    return run;
                }
            }

            try
            {
                await changed.WaitAsync(deadline.Token);
            }
            catch (OperationCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"Run {runId} did not reach the expected state within {timeout}.");
            }
        }
    }

    public static Task<TestRun> ForEndAsync(IServiceProvider services, long runId, TimeSpan timeout) =>
        ForAsync(services, runId, r => r.FinishedAt is not null, timeout);
}
