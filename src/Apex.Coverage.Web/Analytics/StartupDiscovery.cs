using Apex.Coverage.Web.Data;
using Apex.Coverage.Web.Runs;
using Apex.Coverage.Web.Suites;
using Apex.Coverage.Web.TestingPlatform;
using Apex.Coverage.Web.VsTest;
using Hangfire;
using Hangfire.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Apex.Coverage.Web.Analytics;

/// <summary>
/// Before any run the overview would say "no test carries its number" for items whose tests exist
/// in the built suite. So, in the background after start-up, each configured VSTest suite that is
/// built and has never been discovered is discovered once (the same discovery a run does), and the
/// report is recomputed: those items count as implemented and not run. It never builds: a suite
/// that is not built yet is discovered by its first run. It holds the suite's run lock
/// (<see cref="RunJob.LockName"/>) meanwhile, so a run asked for at once waits its turn (RunJob
/// reschedules itself) instead of storing the same discovered tests at the same time (ADR 0190).
/// </summary>
internal sealed partial class StartupDiscovery(
    SuiteCatalog suites, SuiteDiscovery discovery, IVsTestWrapperFactory wrappers, IDbContextFactory<CoverageDbContext> databases,
    JobStorage storage, CoverageChanges changes, IOptions<AnalyticsOptions> options, ILogger<StartupDiscovery> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.DiscoverOnStart)
        {
            return;
        }

        await Task.Yield();
        foreach (var name in suites.Names)
        {
            try
            {
                await DiscoverAsync(name, stoppingToken);
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                LogFailed(error, name);
            }
        }
    }

    private async Task DiscoverAsync(string name, CancellationToken cancellationToken)
    {
        if (suites.Find(name) is not { } suite || !await NeedsDiscoveryAsync(suite, cancellationToken))
        {
            return;
        }

        using var connection = storage.GetConnection();
        IDisposable suiteLock;
        try
        {
            suiteLock = connection.AcquireDistributedLock(RunJob.LockName(suite.Name), TimeSpan.Zero);
        }
        catch (Exception error) when (error is DistributedLockTimeoutException or Hangfire.PostgreSql.PostgreSqlDistributedLockException)
        {
            return; // a run of the suite is under way: it discovers the suite itself
        }

        using var held = suiteLock;
        await using var session = await VsTestSession.StartAsync(wrappers);
        var cases = await discovery.DiscoverAsync(session, suite, cancellationToken);
        LogDiscovered(name, cases.Count);
        changes.Notify();
    }

    /// <summary>A built VSTest suite nothing has discovered yet (Microsoft.Testing.Platform apps are left to their first run).</summary>
    private async Task<bool> NeedsDiscoveryAsync(Suite suite, CancellationToken cancellationToken)
    {
        if (!File.Exists(suite.Assembly) || suite.Runner == SuiteRunner.TestingPlatform
            || TestingPlatformDetector.Detect(suite.Assembly)?.RunsInServerMode(suite.Runner) == true)
        {
            return false;
        }

        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        return !await db.DiscoveredTests.AnyAsync(t => t.SuiteName == suite.Name, cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Discovered {Count} tests of suite {Suite} at start-up.")]
    private partial void LogDiscovered(string suite, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Discovering suite {Suite} at start-up failed; its first run will discover it.")]
    private partial void LogFailed(Exception error, string suite);
}
