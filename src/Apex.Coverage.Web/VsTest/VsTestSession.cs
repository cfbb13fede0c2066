using Microsoft.TestPlatform.VsTestConsole.TranslationLayer.Interfaces;
using Microsoft.VisualStudio.TestPlatform.ObjectModel;
using Microsoft.VisualStudio.TestPlatform.ObjectModel.Client;

namespace Apex.Coverage.Web.VsTest;

public sealed record DiscoveryOutcome(IReadOnlyList<TestCase> Tests, IReadOnlyList<string> Errors, bool IsAborted);

/// <summary>How a run through the session ended, and whether stopping it needed an abort.</summary>
public sealed record VsTestRunCompletion(VsTestRunEnd End, bool AbortedAfterGrace, bool Unresponsive);

/// <summary>
/// One vstest.console session: started, used for a discovery and a run, ended. Every blocking
/// translation-layer call runs on a dedicated thread. Stopping a run asks for a cooperative cancel
/// first and aborts the test host after the grace period, since a cancel does not stop a hung test.
/// </summary>
public sealed class VsTestSession : IAsyncDisposable
{
    private readonly IVsTestConsoleWrapper _wrapper;

    private VsTestSession(IVsTestConsoleWrapper wrapper) => _wrapper = wrapper;

    public static async Task<VsTestSession> StartAsync(IVsTestWrapperFactory factory)
    {
        var wrapper = factory.Create();
        await DedicatedThread.Run("vstest-start", wrapper.StartSession);
        return new VsTestSession(wrapper);
    }

    public async Task<DiscoveryOutcome> DiscoverAsync(string assembly, string runSettings, CancellationToken cancellationToken)
    {
        var handler = new DiscoveryEventsHandler();
        var discovering = DedicatedThread.Run("vstest-discover",
            () => _wrapper.DiscoverTests([assembly], runSettings, new TestPlatformOptions(), handler));
        await using (cancellationToken.Register(() => _ = DedicatedThread.Run("vstest-cancel-discovery", _wrapper.CancelDiscovery)))
        {
            await discovering;
        }

        cancellationToken.ThrowIfCancellationRequested();
        return new DiscoveryOutcome(handler.Tests, handler.Errors, handler.IsAborted);
    }

    public async Task<VsTestRunCompletion> RunAsync(string assembly, string runSettings, string? testCaseFilter,
        ITestRunObserver observer, TimeSpan grace, CancellationToken stop)
    {
        var handler = new RunEventsHandler(observer);
        var options = new TestPlatformOptions { TestCaseFilter = string.IsNullOrWhiteSpace(testCaseFilter) ? null : testCaseFilter };
        var running = DedicatedThread.Run("vstest-run", () => _wrapper.RunTests([assembly], runSettings, options, handler));
        var stopRequested = new TaskCompletionSource();
        await using (stop.Register(stopRequested.SetResult))
        {
            if (await Task.WhenAny(running, stopRequested.Task) == running)
            {
                await running;
                return new VsTestRunCompletion(EndOf(handler), false, false);
            }
        }

        return await StopAsync(running, handler, grace);
    }

    private async Task<VsTestRunCompletion> StopAsync(Task running, RunEventsHandler handler, TimeSpan grace)
    {
        await DedicatedThread.Run("vstest-cancel", _wrapper.CancelTestRun);
        if (await EndsWithinAsync(running, grace))
        {
            return new VsTestRunCompletion(EndOf(handler), false, false);
        }

        await DedicatedThread.Run("vstest-abort", _wrapper.AbortTestRun);
        if (await EndsWithinAsync(running, grace))
        {
            return new VsTestRunCompletion(EndOf(handler), true, false);
        }

        // vstest.console no longer answers: the run is given up; this session is never reused.
        return new VsTestRunCompletion(new VsTestRunEnd(true, true, "vstest.console did not answer an abort."), true, true);
    }

    private static async Task<bool> EndsWithinAsync(Task running, TimeSpan grace)
    {
        if (await Task.WhenAny(running, Task.Delay(grace)) != running)
        {
            return false;
        }

        await running;
        return true;
    }

    // The synchronous RunTests returns after the completion event; a run that returned without
    // one lost its vstest.console on the way.
    private static VsTestRunEnd EndOf(RunEventsHandler handler) =>
        handler.End ?? new VsTestRunEnd(true, false, "vstest.console ended the run without reporting its end.");

    public async ValueTask DisposeAsync()
    {
        // EndSession waits for vstest.console to leave; one that hangs must not hold the run open.
        var ending = DedicatedThread.Run("vstest-end", _wrapper.EndSession);
        await Task.WhenAny(ending, Task.Delay(TimeSpan.FromSeconds(10)));
    }
}
