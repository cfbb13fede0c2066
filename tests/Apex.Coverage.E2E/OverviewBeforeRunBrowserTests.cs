using Microsoft.Playwright;

namespace Apex.Coverage.E2E;

/// <summary>
/// Issue 14 point 1, first impression: before any run, the items whose tests discovery found at
/// start-up count as having tests, the page says nothing has run, and the Run action leads it.
/// </summary>
public sealed class OverviewBeforeRunBrowserTests(DashboardServer server, BrowserSession browser)
    : BrowserTestBase(server, browser), IClassFixture<DashboardServer>, IClassFixture<BrowserSession>
{
    [Fact]
    public async Task Overview_CountsDiscoveredItemsAndSaysNothingRan_WhenNoRunHasHappened()
    {
        // A runner: the Run action is shown to those who may run.
        var page = await OpenAsync("", width: 1024, role: Web.Access.DashboardRoles.Runner);

        // The fixture suite tags items 1 to 6; discovery runs in the background after start-up.
        await Assertions.Expect(page.Locator("[data-testid=kpi-implemented-value]")).ToHaveTextAsync("6 of 100", new() { Timeout = 120_000 });
        await Assertions.Expect(page.Locator("[data-testid=overview-nothing-run]")).ToContainTextAsync("Nothing has run yet. 6 of 100 plan items have tests");
        await Assertions.Expect(page.Locator("[data-testid=kpi-flaky-value]")).ToHaveTextAsync("—");
        await Assertions.Expect(page.Locator("[data-testid=kpi-duration-value]")).ToHaveTextAsync("—");
        await Assertions.Expect(page.Locator("[data-testid=overview-run] [data-testid=run-button]")).ToBeInViewportAsync();
        await Assertions.Expect(page.Locator("[data-testid=coverage-mismatches]")).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("[data-testid=plan-findings]")).ToHaveCountAsync(0);
        await PageChecks.ScreenshotsAsync(page, "overview-before-any-run");
        await PageChecks.AssertAccessibleAsync(page);
    }
}
