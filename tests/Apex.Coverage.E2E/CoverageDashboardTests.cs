using Apex.Coverage.Web.Access;
using Apex.Coverage.Web.Results;
using Microsoft.Playwright;

namespace Apex.Coverage.E2E;

/// <summary>A manager (signed in as a runner) opens the dashboard, runs one category from its page and watches its status change.</summary>
public sealed class CoverageDashboardTests(DashboardServer server, BrowserSession browser)
    : BrowserTestBase(server, browser), IClassFixture<DashboardServer>, IClassFixture<BrowserSession>
{
    private const string Category = "authentication-authorization";
    [Fact]
    public async Task RunCategory_ShowsResultsAndChangesCategoryStatus_WhenStartedFromCategoryPage()
    {
        var page = await NewSignedInPageAsync(DashboardRoles.Runner);
        var status = page.Locator("[data-testid=coverage-category-status]");

        await page.GotoAsync(Url($"coverage/categories/{Category}"));
        await Assertions.Expect(page.Locator("[data-testid=coverage-category-title]")).ToHaveTextAsync("Authentication & Authorization");
        var before = await status.GetAttributeAsync("data-status");
        // Prerendered HTML shows the button before the circuit can handle its click.
        await Assertions.Expect(page.Locator("[data-testid=coverage-category-title]")).ToHaveAttributeAsync("data-interactive", "true");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = PageChecks.Artifact("e2e-category-before.png"), FullPage = true });

        await page.Locator("button[data-testid=run-button]").ClickAsync();
        await page.WaitForURLAsync("**/runs/*");
        await Assertions.Expect(page.Locator("[data-testid=run-results] tbody tr").First).ToBeVisibleAsync(new() { Timeout = 120_000 });
        await Assertions.Expect(page.Locator("[data-testid=run-status]")).ToHaveTextAsync("Failed", new() { Timeout = 120_000 });
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = PageChecks.Artifact("e2e-run.png"), FullPage = true });

        await page.GotoAsync(Url($"coverage/categories/{Category}"));
        await Assertions.Expect(status).ToHaveAttributeAsync("data-status", "failing", new() { Timeout = 30_000 });
        Assert.NotEqual("failing", before);
        await Assertions.Expect(page.Locator("tr[data-item='1'] [data-testid=item-status]")).ToHaveAttributeAsync("data-status", "passing");
        await Assertions.Expect(page.Locator("tr[data-item='2'] [data-testid=item-status]")).ToHaveAttributeAsync("data-status", "failing");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = PageChecks.Artifact("e2e-category-after.png"), FullPage = true });

        await page.GotoAsync(Server.Address.ToString());
        await Assertions.Expect(page.Locator($"tr[data-slug={Category}] [data-testid=category-status]")).ToHaveAttributeAsync("data-status", "failing");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = PageChecks.Artifact("e2e-overview.png"), FullPage = true });
    }
}
