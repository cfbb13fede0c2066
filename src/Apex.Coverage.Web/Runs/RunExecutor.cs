using System.Text.RegularExpressions;
using Apex.Coverage.Web.CodeCoverage;
using Apex.Coverage.Web.Data;
using Apex.Coverage.Web.Results;
using Apex.Coverage.Web.Suites;
using Apex.Coverage.Web.Telemetry;
using Apex.Coverage.Web.TestingPlatform;
using Apex.Coverage.Web.VsTest;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Apex.Coverage.Web.Runs;

/// <summary>
/// Takes one queued run to its end: claims it (queued → building, so running it twice does
/// nothing), builds the suite, discovers, runs the selection through a fresh vstest.console session
/// with each result recorded as it lands, and writes the end state — whatever happens on the way.
/// </summary>
public sealed partial class RunExecutor(
    IDbContextFactory<CoverageDbContext> databases,
    SuiteCatalog suites,
    SuiteBuilder builder,
    SuiteDiscovery discovery,
    IVsTestWrapperFactory wrappers,
    RunNotifier notifier,
    ActiveRuns active,
    IOptions<RunsOptions> options,
    IOptions<NodeOptions> nodes,
    CodeCoverageRunSettings coverageSettings,
    CodeCoverageRecorder coverage,
    TimeProvider time,
    DashboardTelemetry telemetry,
    ILogger<RunExecutor> logger)
{
    public async Task ExecuteAsync(long runId, CancellationToken shutdown)
    {
        var run = await ClaimAsync(runId, shutdown);
        if (run is null)
        {
            return;
        }

        if (suites.Find(run.SuiteName) is not { } suite)
        {
            await FinishAsync(runId, new RunEnd(RunStatus.Failed, $"Suite '{run.SuiteName}' is not configured (Suites:{run.SuiteName})."));
            return;
        }

        var control = active.Start(runId, suite.RunTimeout, shutdown);
        var activity = telemetry.StartRun(runId, suite.Name);
        var started = time.GetTimestamp();
        var status = RunStatus.Aborted;
        try
        {
            status = await FinishAsync(runId, await RunAsync(run, suite, control));
        }
        catch (Exception error) when (control.Reason != StopReason.None)
        {
            LogStopped(error, runId, control.Reason);
            status = await FinishAsync(runId, RunEnding.Stopped(control.Reason, suite.RunTimeout));
        }
        catch (Exception error)
        {
            LogFailed(error, runId);
            status = await FinishAsync(runId, new RunEnd(RunStatus.Aborted, $"The run could not go on: {error.Message}"));
        }
        finally
        {
            active.End(control);
            telemetry.EndRun(activity, suite.Name, status.ToString().ToLowerInvariant(), time.GetElapsedTime(started));
        }
    }

    private async Task<RunEnd> RunAsync(TestRun run, Suite suite, RunControl control)
    {
        if (suite.BuildBeforeRun && await BuildAsync(run.Id, suite, control) is { } buildFailure)
        {
            return buildFailure;
        }

        if (!File.Exists(suite.Assembly))
        {
            return new RunEnd(RunStatus.Failed,
                $"The test assembly {suite.Assembly} does not exist. Build the suite, or set Suites:{suite.Name}:BuildBeforeRun to true.");
        }

        var platformApp = TestingPlatformDetector.Detect(suite.Assembly);
        if (platformApp?.RunsInServerMode(suite.Runner) == true)
        {
            return await RunInServerModeAsync(run, suite, platformApp, control);
        }

        if (suite.Runner == SuiteRunner.TestingPlatform)
        {
            return new RunEnd(RunStatus.Failed, TestingPlatformApp.NotAnAppMessage(suite.Name, suite.Assembly));
        }

        await using var session = await VsTestSession.StartAsync(wrappers);
        var cases = await discovery.DiscoverAsync(session, suite, control.Token);
        control.Token.ThrowIfCancellationRequested();
        var expected = await StartTestsAsync(run, cases, control);
        return await RunTestsAsync(run, suite, session, control, expected);
    }

    private async Task<RunEnd> RunTestsAsync(TestRun run, Suite suite, VsTestSession session, RunControl control, IReadOnlyList<DiscoveredCase> expected)
    {
        var recorder = NewRecorder(run, control);
        var marker = RunProcessReaper.NewMarker(run.Id);
        var resultsDirectory = run.CollectCoverage ? coverageSettings.ResultsDirectoryFor(run.Id) : null;
        var filter = (StoredSelection.FromJson(run.SelectionJson)?.Resolved ?? new ResolvedSelection(null, null))
            .FilterFor(run.TestCaseFilter, expected.Select(c => c.FullyQualifiedName));
        var settings = RunSettingsXml.For(filter, new Dictionary<string, string>(suite.Environment) { [RunProcessReaper.MarkerVariable] = marker }, resultsDirectory);
        string? collectorMissing = null;
        if (run.CollectCoverage)
        {
            (settings, collectorMissing) = coverageSettings.AddTo(settings, suite.Assembly);
        }

        await RememberMarkerAsync(run.Id, marker, control.Token);
        VsTestRunCompletion completion;
        try
        {
            completion = await session.RunAsync(suite.Assembly, settings, filter, recorder, options.Value.CancelGracePeriod, control.Token);
        }
        catch
        {
            await recorder.CompleteAsync(null, []);
            throw;
        }
        finally
        {
            ReapLeftovers(run.Id, marker);
        }

        var end = await EndAsync(run, suite, control, recorder, completion, expected);
        return resultsDirectory is null ? end : await WithCoverageAsync(run.Id, end, completion.End.Attachments, resultsDirectory, collectorMissing);
    }

    private RunRecorder NewRecorder(TestRun run, RunControl control) =>
        new(run.Id, run.SuiteName, run.Commit, databases, notifier, control, time);

    private void ReapLeftovers(long runId, string marker) => LogReaped(runId, RunProcessReaper.Reap(marker));

    /// <summary>Stores what a crash left unfinished, waits for every result, and decides the run's end.</summary>
    private async Task<RunEnd> EndAsync(TestRun run, Suite suite, RunControl control, RunRecorder recorder,
        VsTestRunCompletion completion, IReadOnlyList<DiscoveredCase> expected)
    {
        var crashed = control.Reason == StopReason.None ? "The test host crashed while this test ran; it never finished." : null;
        var recorded = await recorder.CompleteAsync(crashed, crashed is null ? [] : expected);
        LogRecorded(run.Id, recorded.Total, recorded.Commits, recorded.PersistAndPush.TotalMilliseconds / Math.Max(1, recorded.Total));
        return RunEnding.Decide(control.Reason, completion, recorded, suite.RunTimeout);
    }

    // Kept with the run, so a dashboard restarted after a kill -9 can end this run's processes (RunRecovery).
    private async Task RememberMarkerAsync(long runId, string marker, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        await db.TestRuns.Where(r => r.Id == runId).ExecuteUpdateAsync(s => s.SetProperty(r => r.ProcessMarker, marker), cancellationToken);
    }

    // The results stand whatever happens to the report: a missing one only adds a note to the run.
    private async Task<RunEnd> WithCoverageAsync(long runId, RunEnd end, IReadOnlyList<string> attachments, string resultsDirectory, string? collectorMissing)
    {
        var note = await coverage.RecordAsync(runId, attachments, resultsDirectory, collectorMissing);
        notifier.Publish(new RunUpdate(runId, RunUpdateKind.Status));
        return note is null ? end : end with { Message = end.Message is null ? note : $"{end.Message} {note}" };
    }

    private async Task<RunEnd?> BuildAsync(long runId, Suite suite, RunControl control)
    {
        var built = await builder.BuildAsync(suite, line =>
        {
            control.AppendBuildLine(line);
            notifier.Publish(new RunUpdate(runId, RunUpdateKind.Progress));
        }, control.Token);
        await using var db = await databases.CreateDbContextAsync(CancellationToken.None);
        await db.TestRuns.Where(r => r.Id == runId).ExecuteUpdateAsync(s => s.SetProperty(r => r.BuildLog, built.Log), CancellationToken.None);
        return built.Succeeded ? null : new RunEnd(RunStatus.Failed, "The build failed: " + CompilerErrors(built.Log));
    }

    private static string CompilerErrors(string log)
    {
        var errors = log.Split('\n').Select(l => l.Trim()).Where(l => ErrorLine().IsMatch(l)).Distinct().Take(10).ToList();
        return errors.Count > 0 ? string.Join(Environment.NewLine, errors) : "see the build log.";
    }

    private async Task<IReadOnlyList<DiscoveredCase>> StartTestsAsync(TestRun run, IReadOnlyList<DiscoveredCase> cases, RunControl control)
    {
        var selection = StoredSelection.FromJson(run.SelectionJson)?.Resolved ?? new ResolvedSelection(null, null);
        var expected = cases.Where(c => selection.Includes(c.FullyQualifiedName, c.PlanItems)).ToList();
        var estimate = await EstimateAsync(run);
        control.Update(p => p with { Expected = expected.Count, Estimate = estimate, TestsStartedAt = time.GetUtcNow() });
        await using var db = await databases.CreateDbContextAsync(CancellationToken.None);
        await db.TestRuns.Where(r => r.Id == run.Id).ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, RunStatus.Running), CancellationToken.None);
        notifier.Publish(new RunUpdate(run.Id, RunUpdateKind.Status));
        return expected;
    }

    // The last finished run of the same selection is the best guess at how long this one takes.
    private async Task<TimeSpan?> EstimateAsync(TestRun run)
    {
        await using var db = await databases.CreateDbContextAsync(CancellationToken.None);
        var previous = await db.TestRuns
            .Where(r => r.SuiteName == run.SuiteName && r.Id != run.Id && r.TestCaseFilter == run.TestCaseFilter
                && (r.Status == RunStatus.Passed || r.Status == RunStatus.Failed) && r.StartedAt != null && r.FinishedAt != null)
            .OrderByDescending(r => r.Id).Select(r => new { r.StartedAt, r.FinishedAt }).FirstOrDefaultAsync();
        return previous is null ? null : previous.FinishedAt!.Value - previous.StartedAt!.Value;
    }

    private async Task<TestRun?> ClaimAsync(long runId, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var now = time.GetUtcNow();
        var claimed = await db.TestRuns.Where(r => r.Id == runId && r.Status == RunStatus.Queued)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, RunStatus.Building).SetProperty(r => r.StartedAt, now)
                .SetProperty(r => r.Node, nodes.Value.Name), cancellationToken);
        if (claimed == 0)
        {
            return null;
        }

        notifier.Publish(new RunUpdate(runId, RunUpdateKind.Status));
        return await db.TestRuns.AsNoTracking().SingleAsync(r => r.Id == runId, cancellationToken);
    }

    private async Task<RunStatus> FinishAsync(long runId, RunEnd end)
    {
        // Written even while the dashboard stops: a run must never be left in "running".
        await using var db = await databases.CreateDbContextAsync(CancellationToken.None);
        var now = time.GetUtcNow();
        await db.TestRuns.Where(r => r.Id == runId).ExecuteUpdateAsync(s => s
            .SetProperty(r => r.Status, end.Status).SetProperty(r => r.Message, end.Message).SetProperty(r => r.FinishedAt, now), CancellationToken.None);
        notifier.Publish(new RunUpdate(runId, RunUpdateKind.Status));
        notifier.Publish(new RunUpdate(runId, RunUpdateKind.Ended));
        LogFinished(runId, end.Status, end.Message);
        return end.Status;
    }

    [GeneratedRegex(@"(:|\s)error\s+[A-Z]+\d+", RegexOptions.IgnoreCase)]
    private static partial Regex ErrorLine();

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId} ended {Status}: {Message}")]
    private partial void LogFinished(long runId, RunStatus status, string? message);

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId} recorded {Count} results in {Commits} commits; persist and push took {MeanMilliseconds:F2} ms per result")]
    private partial void LogRecorded(long runId, int count, int commits, double meanMilliseconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId}: {Count} leftover test processes ended")]
    private partial void LogReaped(long runId, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId} stopped ({Reason})")]
    private partial void LogStopped(Exception error, long runId, StopReason reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Run {RunId} failed")]
    private partial void LogFailed(Exception error, long runId);
}
