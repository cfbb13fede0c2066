using Apex.Coverage.Web.Results;
using Apex.Coverage.Web.Runs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Apex.Coverage.E2E;

/// <summary>
/// Issue 14 point 1 after runs: protected MRR in green and at-risk MRR in red on a $ scale with the
/// target, "since the last full run" against the previous full run, and dark mode.
/// </summary>
public sealed class OverviewBrowserTests(DashboardServer server, BrowserSession browser)
    : BrowserTestBase(server, browser), IClassFixture<DashboardServer>, IClassFixture<BrowserSession>
{
    [Fact]
    public async Task Overview_ShowsColoursTargetAndSinceLastFullRun_WhenTwoFullRunsFinished()
    {
        var first = await RunWholeSuiteAsync();
        var second = await RunWholeSuiteAsync();
        var page = await OpenAsync("");

        var since = page.Locator("[data-testid=since-last-run]");
        await Assertions.Expect(since.Locator($"a[href='runs/{second}?compare={first}']")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Assertions.Expect(since.Locator("[data-testid=since-new-failures]")).ToHaveTextAsync("0");
        await Assertions.Expect(since.Locator("[data-testid=since-fixed]")).ToHaveTextAsync("0");
        var total = page.Locator("[data-testid=mrr-total]");
        await PageChecks.ScreenshotsAsync(page, "overview");
        Assert.Equal("rgb(30, 123, 52)", await BackgroundAsync(total.Locator("[data-testid=mrr-protected]")));
        Assert.Equal("rgb(198, 40, 40)", await BackgroundAsync(total.Locator("[data-testid=mrr-at-risk]")));
        Assert.True(await WidthAsync(total.Locator("[data-testid=mrr-protected]")) > 0, "Items 1, 3, 5 and 6 pass: some MRR is protected.");
        await Assertions.Expect(total.Locator("[data-testid=mrr-target]")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("[data-testid=mrr-category] .apex-bar-label").First).ToHaveTextAsync("Authentication & Authorization");
        await Assertions.Expect(page.Locator("[data-testid=overview-nothing-run]")).ToHaveCountAsync(0);
        await PageChecks.AssertAccessibleAsync(page);
    }

    [Fact]
    public async Task Overview_FollowsDarkSchemeAndToggles_WhenOsPrefersDark()
    {
        var page = await OpenAsync("", scheme: ColorScheme.Dark);
        var layout = page.Locator(".mud-layout");

        await Assertions.Expect(layout).ToHaveAttributeAsync("data-theme", "dark");
        await PageChecks.ScreenshotsAsync(page, "overview-dark");
        await PageChecks.AssertAccessibleAsync(page);
        await page.Locator("[data-testid=theme-toggle]").ClickAsync();
        await Assertions.Expect(layout).ToHaveAttributeAsync("data-theme", "light");
    }

    private async Task<long> RunWholeSuiteAsync()
    {
        var requests = Server.Services.GetRequiredService<RunRequests>();
        var runs = Server.Services.GetRequiredService<RunReader>();
        var id = await requests.StartAsync(null, RunSelection.WholeSuite, RunSource.Dashboard, false, null, CancellationToken.None);
        await Eventually.ThatAsync(() => runs.FindAsync(id), run => run?.FinishedAt is not null, $"run {id} to finish", seconds: 300);
        return id;
    }

    private static Task<string> BackgroundAsync(ILocator element) => element.EvaluateAsync<string>("e => getComputedStyle(e).backgroundColor");

    private static Task<double> WidthAsync(ILocator element) => element.EvaluateAsync<double>("e => e.getBoundingClientRect().width");
}
