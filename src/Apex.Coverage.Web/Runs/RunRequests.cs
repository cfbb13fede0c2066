using Apex.Coverage.Web.Data;
using Apex.Coverage.Web.Results;
using Apex.Coverage.Web.Suites;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Apex.Coverage.Web.Runs;

public enum CancelOutcome
{
    NotFound,
    AlreadyFinished,
    Canceled,
    Stopping,
    RunningElsewhere,
}

/// <summary>
/// Where every run starts and is canceled, whoever asks (a page, a schedule, the API): the
/// selection is checked and resolved now, the run row is written as queued, then its job enqueued
/// in the suite's queue.
/// </summary>
public sealed class RunRequests(
    IDbContextFactory<CoverageDbContext> databases,
    SuiteCatalog suites,
    RunSelectionResolver resolver,
    IBackgroundJobClient jobs,
    ActiveRuns active,
    RunRelay relay,
    RunNotifier notifier,
    IOptions<RunsOptions> options,
    TimeProvider time)
{
    public string DefaultSuite => options.Value.DefaultSuite is { Length: > 0 } name ? name : suites.Names.FirstOrDefault() ?? "";

    /// <exception cref="SelectionException">The suite is not configured, or the selection cannot run.</exception>
    public async Task<long> StartAsync(string? suiteName, RunSelection selection, RunSource source, bool collectCoverage,
        string? tokenName, CancellationToken cancellationToken)
    {
        var name = string.IsNullOrWhiteSpace(suiteName) ? DefaultSuite : suiteName;
        var suite = suites.Find(name)
            ?? throw new SelectionException($"No suite is configured under the name '{name}'. Configured: {string.Join(", ", suites.Names)}.");
        var resolved = await resolver.ResolveAsync(suite.Name, selection, cancellationToken);
        var run = new TestRun
        {
            SuiteName = suite.Name,
            Source = source,
            SelectionJson = resolved.Store(selection).ToJson(),
            TestCaseFilter = resolved.TestCaseFilter,
            CollectCoverage = collectCoverage,
            TokenName = tokenName,
            CreatedAt = time.GetUtcNow(),
        };
        await using (var db = await databases.CreateDbContextAsync(cancellationToken))
        {
            db.TestRuns.Add(run);
            await db.SaveChangesAsync(cancellationToken);
        }

        Enqueue(suite.Name, run.Id);
        notifier.Publish(new RunUpdate(run.Id, RunUpdateKind.Status));
        return run.Id;
    }

    public void Enqueue(string suite, long runId) =>
        jobs.Enqueue<RunJob>(SuiteQueue.NameOf(suite), job => job.ExecuteAsync(suite, runId, CancellationToken.None));

    /// <summary>
    /// A queued run is canceled at once; a running one is asked to stop (cancel, then abort after
    /// the grace period) here, or through <see cref="RunRelay"/> on the node that executes it.
    /// </summary>
    public async Task<CancelOutcome> CancelAsync(long runId, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var now = time.GetUtcNow();
        var canceled = await db.TestRuns.Where(r => r.Id == runId && r.Status == RunStatus.Queued && r.Source != RunSource.Ci)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, RunStatus.Canceled)
                .SetProperty(r => r.Message, "Canceled before it started.").SetProperty(r => r.FinishedAt, now), cancellationToken);
        if (canceled > 0)
        {
            notifier.Publish(new RunUpdate(runId, RunUpdateKind.Status));
            return CancelOutcome.Canceled;
        }

        // The stored status first: a run that has just ended may still hold its control for a moment.
        var status = await db.TestRuns.Where(r => r.Id == runId).Select(r => (RunStatus?)r.Status).FirstOrDefaultAsync(cancellationToken);
        if (status is not (RunStatus.Queued or RunStatus.Building or RunStatus.Running))
        {
            return status is null ? CancelOutcome.NotFound : CancelOutcome.AlreadyFinished;
        }

        if (active.Find(runId) is { } control)
        {
            control.Stop(StopReason.Canceled);
            return CancelOutcome.Stopping;
        }

        if (status == RunStatus.Queued)
        {
            return CancelOutcome.AlreadyFinished;
        }

        // Executing on another node: that node's relay stops it (cancel, then abort after the grace period).
        return await relay.RequestCancelAsync(runId, cancellationToken) ? CancelOutcome.Stopping : CancelOutcome.RunningElsewhere;
    }
}
