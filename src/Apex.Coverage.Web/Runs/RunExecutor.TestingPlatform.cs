using Apex.Coverage.Web.Results;
using Apex.Coverage.Web.Suites;
using Apex.Coverage.Web.TestingPlatform;
using Apex.Coverage.Web.VsTest;

namespace Apex.Coverage.Web.Runs;

/// <summary>
/// Runs of Microsoft.Testing.Platform apps through their server mode (ADR 0061, 0062): discovery
/// and the run each in an app process of their own, every process carrying the run's marker, the
/// results recorded, and the end decided exactly as for a VSTest run.
/// </summary>
public sealed partial class RunExecutor
{
    /// <summary>How long an app may take to start and connect back (a loaded machine starts slowly).</summary>
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(60);

    private async Task<RunEnd> RunInServerModeAsync(TestRun run, Suite suite, TestingPlatformApp app, RunControl control)
    {
        var marker = RunProcessReaper.NewMarker(run.Id);
        var environment = new Dictionary<string, string>(suite.Environment) { [RunProcessReaper.MarkerVariable] = marker };
        try
        {
            // Stored before the first app starts: a dashboard killed with -9 from here on leaves apps
            // (and their children) that only the marker finds, and its restart reaps them (RunRecovery).
            await RememberMarkerAsync(run.Id, marker, control.Token);
            var cases = await discovery.DiscoverAsync(suite, token => DiscoverInServerModeAsync(suite.Assembly, environment, token), control.Token);
            control.Timeline.Mark("discovered");
            control.Token.ThrowIfCancellationRequested();
            var expected = await StartTestsAsync(run, cases, control);
            return await RunExpectedInServerModeAsync(run, suite, environment, expected, control);
        }
        catch (TestAppStartException error) when (control.Reason == StopReason.None)
        {
            return new RunEnd(RunStatus.Failed, app.CannotRunMessage(suite.Name, error.Message));
        }
        finally
        {
            ReapLeftovers(run.Id, marker);
        }
    }

    private static async Task<DiscoveryOutcome> DiscoverInServerModeAsync(string assembly, IReadOnlyDictionary<string, string> environment,
        CancellationToken cancellationToken)
    {
        await using var session = await TestingPlatformSession.StartAsync(assembly, environment, ConnectTimeout, cancellationToken);
        return await session.DiscoverAsync(cancellationToken);
    }

    private async Task<RunEnd> RunExpectedInServerModeAsync(TestRun run, Suite suite, IReadOnlyDictionary<string, string> environment,
        IReadOnlyList<DiscoveredCase> expected, RunControl control)
    {
        var selection = StoredSelection.FromJson(run.SelectionJson)?.Resolved ?? new ResolvedSelection(null, null);
        var whole = selection.PlanItems is null && selection.FullyQualifiedNames is null;
        if (!whole && expected.Count == 0)
        {
            return new RunEnd(RunStatus.Failed, "No test matched the selection.");
        }

        // A coverage run's app writes its report once it has left, so the report is read after the session.
        var resultsDirectory = run.CollectCoverage ? coverageSettings.ResultsDirectoryFor(run.Id) : null;
        var (app, collectorMissing) = resultsDirectory is null ? (TestAppOptions.Default, null)
            : coverageSettings.ForTestingPlatform(suite.Assembly, resultsDirectory);
        var recorder = NewRecorder(run, control);
        VsTestRunCompletion completion;
        try
        {
            completion = await RunSessionAsync(suite, environment, whole ? null : expected.Select(c => c.NodeUid).OfType<string>().ToList(), app, recorder, control);
        }
        catch
        {
            await recorder.CompleteAsync(null, []);
            throw;
        }

        var end = await EndAsync(run, suite, control, recorder, completion, expected);
        control.Timeline.Mark("recorded");
        return resultsDirectory is null ? end : await WithCoverageAsync(run.Id, end, [], resultsDirectory, collectorMissing);
    }

    private async Task<VsTestRunCompletion> RunSessionAsync(Suite suite, IReadOnlyDictionary<string, string> environment,
        IReadOnlyList<string>? uids, TestAppOptions app, RunRecorder recorder, RunControl control)
    {
        await using var session = await TestingPlatformSession.StartAsync(suite.Assembly, environment, ConnectTimeout, control.Token, app);
        control.Timeline.Mark("session started");
        try
        {
            return await session.RunAsync(uids, recorder, options.Value.CancelGracePeriod, control.Token);
        }
        finally
        {
            control.Timeline.Mark("run returned");
        }
    }
}
