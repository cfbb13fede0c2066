using System.Diagnostics;
using Apex.Coverage.Web.Suites;
using Microsoft.Extensions.Options;

namespace Apex.Coverage.Web.Mutation;

/// <summary>
/// Runs one queued mutation run to its end: Stryker over the item's modules with the item's tests,
/// incrementally (--since the commit of the item's last completed run, its untouched files carried
/// over), within the time budget and cancellable; the report is stored in one write, or nothing is.
/// </summary>
public sealed class MutationExecution(
    MutationStore store, MutationService service, MutationTargetFinder targeting, MutationProgress progress, StrykerProcess stryker, SuiteCatalog suites,
    IOptions<MutationOptions> options, IHostEnvironment host, ILogger<MutationExecution> logger)
{
    public async Task RunAsync(MutationRun run, CancellationToken stopping)
    {
        // Tracked before it is running: a cancel that finds it running (here or relayed) finds its stop.
        using var stop = service.Track(run.Id, stopping);
        try
        {
            // Another node's worker may have taken it, or a cancel ended it while queued.
            if (await store.MoveAsync(run.Id, MutationRunStatus.Queued, MutationRunStatus.Running, stopping))
            {
                await RunStartedAsync(run, stop.Token, stopping);
            }
        }
        finally
        {
            service.Untrack(run.Id);
        }
    }

    private async Task RunStartedAsync(MutationRun run, CancellationToken cancel, CancellationToken stopping)
    {
        try
        {
            await progress.ChangedAsync();
            var (status, message) = await MutateAsync(run, cancel, stopping);
            await EndAsync(run.Id, status, message);
        }
        catch (Exception error) when (error is not OperationCanceledException || !stopping.IsCancellationRequested)
        {
            logger.LogError(error, "Mutation run {RunId} failed", run.Id);
            await EndAsync(run.Id, MutationRunStatus.Failed, error.Message);
        }
        finally
        {
            await progress.EndedAsync(run.Id);
        }
    }

    private async Task<(string Status, string? Message)> MutateAsync(MutationRun run, CancellationToken cancel, CancellationToken stopping)
    {
        if (suites.Find(run.Suite) is not { Project: { } project })
        {
            return (MutationRunStatus.Failed, $"Suite {run.Suite} has no project to run Stryker in (Suites:{run.Suite}:Project).");
        }

        var previous = await store.LatestCompletedAsync(run.Suite, run.PlanItem, stopping);
        var commit = await GitAsync("rev-parse HEAD");
        if (await service.TestsOfAsync(run.PlanItem, stopping) is not { Count: > 0 } tests)
        {
            return (MutationRunStatus.Failed, $"No discovered test carries plan item {run.PlanItem}: nothing could kill a mutant.");
        }

        var targets = await targeting.TargetsOfAsync(run.PlanItem, stopping);
        logger.LogInformation("Mutation run {RunId} of item {PlanItem} mutates {Count} globs from {From}", run.Id, run.PlanItem, targets.Mutate.Count, targets.From);
        var scope = new MutationScope(run.PlanItem, options.Value.Project, targets.Mutate,
            previous?.Commit is { } since && commit is not null ? since : null, StrykerCommand.TestFilter(tests));
        await store.UpdateAsync(run.Id, r => (r.Commit, r.Since, r.Scope) = (commit, scope.Since, string.Join('\n', scope.Mutate)), stopping);
        var output = Path.Combine(options.Value.OutputPath, $"run-{run.Id}");
        var result = await stryker.RunAsync(Path.GetDirectoryName(project)!, StrykerCommand.Arguments(scope, options.Value, output),
            options.Value.Environment, options.Value.TimeBudget, (tested, total) => progress.ReportAsync(run.Id, tested, total), cancel);
        return result.End switch
        {
            StrykerEnd.Canceled => (MutationRunStatus.Canceled, "Canceled."),
            StrykerEnd.OverBudget => (MutationRunStatus.OverBudget,
                result.Tally is { } tally
                    ? $"Stopped after the time budget of {options.Value.TimeBudget} (Mutation:TimeBudget) with {tally}. Stryker writes its report only at the end, so no file's figures were stored."
                    : $"Stopped after the time budget of {options.Value.TimeBudget} (Mutation:TimeBudget) before any mutant was tested; nothing stored. Stryker's last line: {result.LastLines.LastOrDefault(l => l.Length > 0) ?? "(none)"}"),
            _ => await StoreAsync(run.Id, Path.Combine(output, "reports", "mutation-report.json"), previous, result, stopping),
        };
    }

    private async Task<(string Status, string? Message)> StoreAsync(long runId, string report, MutationRun? previous, StrykerResult result, CancellationToken cancellationToken)
    {
        if (result.ExitCode != 0 || !File.Exists(report))
        {
            return (MutationRunStatus.Failed, $"Stryker exited with {result.ExitCode} and no report: {string.Join(" / ", result.LastLines.TakeLast(3))}");
        }

        var read = await MutationReportReader.ReadAsync(report, host.ContentRootPath, cancellationToken);
        if (result.CoverageCaptureFailed && read.Totals.Detected == 0)
        {
            // Stryker's VSTest runner cannot switch mutants on in an xunit v3 test process: every mutant
            // "survives". Storing that would call a working suite worthless (docs/adr/0211).
            return (MutationRunStatus.Failed, "Stryker could not see which tests reach which mutant and killed none: its VSTest runner cannot activate mutants in this suite (xunit v3?). Set Mutation:TestRunner to mtp with an MTP build of the suite.");
        }

        var merged = MutationMerge.Merge(read, previous);
        await store.UpdateAsync(runId, r => MutationMerge.Apply(r, merged), cancellationToken);
        return (MutationRunStatus.Completed, null);
    }

    private async Task EndAsync(long runId, string status, string? message)
    {
        await store.UpdateAsync(runId, r => r.Message = message, CancellationToken.None);
        await store.MoveAsync(runId, MutationRunStatus.Running, status, CancellationToken.None);
    }

    /// <summary>The answer of a git command in the repo root, or null outside a checkout.</summary>
    private async Task<string?> GitAsync(string arguments)
    {
        try
        {
            using var git = Process.Start(new ProcessStartInfo("git", arguments) { WorkingDirectory = host.ContentRootPath, RedirectStandardOutput = true, RedirectStandardError = true })!;
            var text = await git.StandardOutput.ReadToEndAsync();
            await git.WaitForExitAsync();
            return git.ExitCode == 0 ? text.Trim() : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
