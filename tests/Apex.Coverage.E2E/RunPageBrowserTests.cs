using System.Globalization;
using Apex.Coverage.Web.Components;
using Microsoft.Playwright;

namespace Apex.Coverage.E2E;

/// <summary>
/// Issue 14 point 2: the run page answers "what failed and why" at 1024 px as at 1440 px, with
/// CI's context, filters, pages, the error and stack trace and a comparison (the canceling state:
/// RunCancelBrowserTests).
/// </summary>
public sealed class RunPageBrowserTests(DashboardServer server, BrowserSession browser)
    : BrowserTestBase(server, browser), IClassFixture<DashboardServer>, IClassFixture<BrowserSession>
{
    private const string LongClass = "Apex.Integration.Billing.Subscriptions.ProrationAndInvoicing.EnterpriseCustomerLifecycle";
    private const string BuildUrl = "https://ci.example/apex/builds/4711";

    private static string LongName(int i) =>
        $"UpgradeMidCycle_ChargesProratedDifferenceAndKeepsEntitlementsInSync_WhenCustomerSwitchesFromMonthlyToAnnualPlanNumber{i:000}";

    private static CiCase Passing(int i) => new(LongClass, LongName(i), 0.2);

    [Fact]
    public async Task RunPage_ShowsFailureFirstWithOutcomeInView_WhenNamesAreLongAt1024Px()
    {
        var cases = Enumerable.Range(1, 59).Select(Passing).Append(new CiCase(LongClass, LongName(999), 1.5, "Expected invoice total 120.00 but was 99.00"));
        var id = await CiUploads.PostAsync(Server, cases, $"commit=0123456789abcdef&branch=release/7&buildUrl={Uri.EscapeDataString(BuildUrl)}");
        var page = await OpenAsync($"runs/{id}", width: 1024);

        var first = page.Locator("[data-testid=run-result]").First;
        await Assertions.Expect(first).ToHaveAttributeAsync("data-outcome", "failed");
        await AssertInViewportAsync(page, first.Locator("[data-testid=run-result-outcome]"));
        await AssertInViewportAsync(page, first.Locator("[data-testid=run-result-duration]"));
        await Assertions.Expect(first.Locator("[data-testid=run-result-duration]")).ToHaveTextAsync("1.5 s");
        await Assertions.Expect(first.Locator("[data-testid=run-result-error-line]")).ToContainTextAsync("Expected invoice total 120.00");
        await Assertions.Expect(first.Locator("[data-testid=run-result-name]"))
            .ToHaveAttributeAsync("href", $"coverage/tests?name={Uri.EscapeDataString($"{LongClass}.{LongName(999)}")}");
        await Assertions.Expect(page.Locator("[data-testid=run-build-link]")).ToHaveAttributeAsync("href", BuildUrl);
        await Assertions.Expect(page.Locator("[data-testid=run-commit]")).ToHaveTextAsync("0123456789");
        await Assertions.Expect(page.Locator("[data-testid=run-branch]")).ToHaveTextAsync("release/7");
        await Assertions.Expect(page.Locator("[data-testid=run-result]")).ToHaveCountAsync(50);
        await Assertions.Expect(page.Locator("[data-testid=run-results-range]")).ToHaveTextAsync("1–50 of 60");

        await first.Locator("[data-testid=run-result-expand]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=run-result-stack]")).ToContainTextAsync("Checkout.cs:line 42");
        await PageChecks.ScreenshotsAsync(page, "run-failed");
        await PageChecks.AssertAccessibleAsync(page);

        var api = await CiUploads.GetRunAsync(Server, id);
        Assert.Equal((BuildUrl, "release/7"), (api.GetProperty("buildUrl").GetString(), api.GetProperty("branch").GetString()));
        // The API keeps ISO 8601; the page says the same moment in words, in UTC (ADR 0290).
        var createdAt = api.GetProperty("createdAt").GetString()!;
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}", createdAt);
        await Assertions.Expect(page.Locator("[data-testid=run-requested]"))
            .ToHaveTextAsync(TimeWords.Moment(DateTimeOffset.Parse(createdAt, CultureInfo.InvariantCulture)));
    }

    [Fact]
    public async Task RunPage_FiltersByOutcomeAndText_WhenReaderNarrowsTheList()
    {
        var cases = Enumerable.Range(1, 5).Select(Passing)
            .Append(new CiCase("Apex.Checkout", "Refund_Fails", 0.1, "Gateway said no"))
            .Append(new CiCase("Apex.Checkout", "Capture_Fails", 0.1, "Timed out"));
        var id = await CiUploads.PostAsync(Server, cases, "commit=f1");
        var page = await OpenAsync($"runs/{id}");
        var rows = page.Locator("[data-testid=run-result]");

        await page.Locator("[data-testid=run-filter-failed]").ClickAsync();
        await Assertions.Expect(rows).ToHaveCountAsync(2);
        await page.Locator("[data-testid=run-filter-text]").FillAsync("gateway");
        await Assertions.Expect(rows).ToHaveCountAsync(1);
        await Assertions.Expect(rows.First.Locator("[data-testid=run-result-name]")).ToHaveTextAsync("Checkout.Refund_Fails");
        await page.Locator("[data-testid=run-filter-passed]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=run-results-empty]")).ToHaveTextAsync("No result matches this filter.");
    }

    [Fact]
    public async Task RunPage_ComparesWithEarlierRunAndShowsNoFailedChip_WhenEverythingPassedThisTime()
    {
        var earlier = await CiUploads.PostAsync(Server, [new("Apex.Cart", "Adds", 0.1, "boom"), new("Apex.Cart", "Removes", 0.1), new("Apex.Cart", "Slow", 0.2)], "commit=a1");
        var later = await CiUploads.PostAsync(Server, [new("Apex.Cart", "Adds", 0.1), new("Apex.Cart", "Removes", 0.1), new("Apex.Cart", "Slow", 3.0), new("Apex.Cart", "Totals", 0.1)], "commit=a2");
        var page = await OpenAsync($"runs/{later}?compare={earlier}");

        await Assertions.Expect(page.Locator("[data-testid=run-status]")).ToHaveTextAsync("Passed");
        await Assertions.Expect(page.Locator("[data-testid=run-count-passed]")).ToHaveTextAsync("4 passed");
        await Assertions.Expect(page.Locator("[data-testid=run-count-failed]")).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("[data-testid=run-compare-fixed]")).ToHaveTextAsync("1");
        await Assertions.Expect(page.Locator("[data-testid=run-compare-new-failures]")).ToHaveTextAsync("0");
        await Assertions.Expect(page.Locator("[data-testid=run-compare-new-tests]")).ToHaveTextAsync("1");
        await Assertions.Expect(page.Locator("[data-testid=run-compare-durations]")).ToHaveTextAsync("1");
        await Assertions.Expect(page.Locator("tr[data-change=fixed]")).ToContainTextAsync("Cart.Adds");
        await Assertions.Expect(page.Locator("tr[data-change=slower]")).ToContainTextAsync("Cart.Slow");
        await PageChecks.ScreenshotsAsync(page, "run-compared");
        await PageChecks.AssertAccessibleAsync(page);
    }

    private static async Task AssertInViewportAsync(IPage page, ILocator cell)
    {
        await Assertions.Expect(cell).ToBeInViewportAsync();
        // A trial click fails when anything (the navigation drawer, say) covers the cell.
        await cell.ClickAsync(new LocatorClickOptions { Trial = true, Timeout = 5_000 });
        var box = await cell.BoundingBoxAsync();
        Assert.NotNull(box);
        Assert.True(box.X >= 0 && box.X + box.Width <= page.ViewportSize!.Width, $"The cell spans {box.X}..{box.X + box.Width} of a {page.ViewportSize.Width} px viewport.");
    }
}
