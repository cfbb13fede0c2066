using Apex.Coverage.Web.Access;
using Microsoft.Playwright;

namespace Apex.Coverage.E2E;

/// <summary>Issue 14 point 6: a favicon and navigation to every part (an admin sees every part; issue 15: a viewer not the settings).</summary>
public sealed class NavigationBrowserTests(DashboardServer server, BrowserSession session)
    : BrowserTestBase(server, session), IClassFixture<DashboardServer>, IClassFixture<BrowserSession>
{
    [Fact]
    public async Task Layout_ServesFaviconAndLinksEveryPart_WhenAnyPageOpens()
    {
        var page = await OpenAsync("runs", role: DashboardRoles.Admin);

        var icon = await page.Locator("link[rel=icon]").GetAttributeAsync("href");
        var served = await page.APIRequest.GetAsync(new Uri(Server.Address, icon!).ToString());
        Assert.Equal((200, "image/svg+xml"), (served.Status, served.Headers["content-type"]));
        foreach (var href in new[] { "runs", "runs/schedules", "coverage/failures", "coverage/flaky", "coverage/slowest", "coverage/tests/unmapped", "plan", "plan/history", "settings/tokens", "settings/users", "settings/audit", "settings/alerts", "scalar/v1" })
        {
            await Assertions.Expect(page.Locator($"nav a[href='{href}']")).ToHaveCountAsync(1);
        }

        await PageChecks.ScreenshotsAsync(page, "runs");
        await PageChecks.AssertAccessibleAsync(page);
    }

    [Fact]
    public async Task Layout_HidesSettingsLinks_WhenAViewerOpensAPage()
    {
        var page = await OpenAsync("runs");

        await Assertions.Expect(page.Locator("nav a[href='plan']")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("nav a[href^='settings']")).ToHaveCountAsync(0);
    }
}
