using Apex.Coverage.Tests.Runs;
using Apex.Coverage.Web.Access;
using Apex.Coverage.Web.Results;
using Apex.Coverage.Web.Runs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Apex.Coverage.E2E;

/// <summary>
/// Issue 14 point 2, "canceling", in a real browser: a run whose test ignores the cancel keeps going
/// until the runner aborts its test host; meanwhile the run page says it is canceling and offers no
/// second Cancel, and it shows the end once the run has ended.
/// </summary>
public sealed class RunCancelBrowserTests(HangingSuiteServer server, BrowserSession browser)
    : BrowserTestBase(server, browser), IClassFixture<HangingSuiteServer>, IClassFixture<BrowserSession>
{
    private const string FixtureProcess = "Apex.Fixture.Suite";
    private const string HangMarker = "APEX_FIXTURE_HANG=1";

    // Each change of the status chip and the Cancel button, as the browser drew it (the DevTools
    // protocol injects this, so the page's Content-Security-Policy does not apply).
    private const string StateRecorder = """
        () => {
          window.__runStates = [];
          const read = () => {
            const chip = document.querySelector('[data-testid=run-status]');
            const cancel = document.querySelector('[data-testid=run-cancel]');
            const state = (chip ? chip.getAttribute('data-status') : 'no chip') + ' | '
              + (cancel ? (cancel.disabled ? 'cancel disabled' : 'cancel enabled') : 'no cancel');
            if (window.__runStates[window.__runStates.length - 1] !== state) window.__runStates.push(state);
          };
          read();
          new MutationObserver(read).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
        }
        """;

    [Fact]
    public async Task RunPage_ShowsCancelingUntilTheRunEnds_WhenCancelIsClickedOnAHungRun()
    {
        var id = await Server.Services.GetRequiredService<RunRequests>().StartAsync(HangingSuiteServer.Hanging,
            new RunSelection(PlanItems: [4]), RunSource.Dashboard, false, null, TestContext.Current.CancellationToken);
        var active = Server.Services.GetRequiredService<ActiveRuns>();
        await Eventually.ThatAsync(() => Task.FromResult(active.Find(id)?.Progress.RunningTests.Any(t => t.EndsWith(".Hangs", StringComparison.Ordinal)) == true),
            running => running, "the test Hangs to be running", seconds: 120);
        var page = await OpenAsync($"runs/{id}", role: DashboardRoles.Runner);
        var status = page.Locator("[data-testid=run-status]");
        var cancel = page.Locator("[data-testid=run-cancel]");
        await Assertions.Expect(page.Locator("[data-testid=run-running]")).ToContainTextAsync("Hangs");
        Assert.NotEmpty(ProcessTable.Carrying(HangMarker, FixtureProcess));
        await Assertions.Expect(cancel).ToBeEnabledAsync();
        await page.EvaluateAsync(StateRecorder);

        await cancel.ClickAsync();

        await Assertions.Expect(status).ToHaveAttributeAsync("data-status", "canceling");
        await Assertions.Expect(status).ToHaveTextAsync("Canceling");
        await Assertions.Expect(cancel).ToBeDisabledAsync();
        await Assertions.Expect(cancel).ToHaveTextAsync("Canceling…");
        await Assertions.Expect(status).ToHaveAttributeAsync("data-status", "canceled", new() { Timeout = 90_000 });
        await Assertions.Expect(status).ToHaveTextAsync("Canceled");
        await Assertions.Expect(cancel).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("[data-testid=run-button]")).ToHaveTextAsync("Run again");
        await Assertions.Expect(page.Locator("[data-testid=run-message]")).ToContainTextAsync("aborted");

        // Nothing in between: from the click the page said "canceling" with Cancel disabled, and
        // nothing else, until the run ended.
        var states = await page.EvaluateAsync<string[]>("() => window.__runStates");
        Assert.Equal(["running | cancel enabled", "canceling | cancel disabled", "canceled | no cancel"], states);
        Assert.Empty(ProcessTable.Carrying(HangMarker, FixtureProcess));
        await PageChecks.ScreenshotsAsync(page, "run-canceled");
    }
}
