using Apex.Coverage.Tests.Fixtures;
using Apex.Coverage.Web.Components.Plan;
using Apex.Coverage.Web.Plan;
using Apex.Coverage.Web.Results;
using Apex.Coverage.Web.Runs;
using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using static Apex.Coverage.Tests.Analytics.History;

namespace Apex.Coverage.Tests.Plan;

/// <summary>Plan and status joined (issue 14, point 4): the catalog's live status and the item page's tests and Run button.</summary>
public sealed class PlanLiveStatusTests : DashboardComponentTest
{
    private const string Login = "Apex.Integration.Auth.LoginTests.Login_Succeeds";
    private const string Lockout = "Apex.Integration.Auth.LoginTests.Lockout_Engages";
    private const string Tokens = "Apex.Integration.Auth.TokenTests.Refresh_Rotates";
    private IHostedService _signal = null!;

    protected override void AddServices()
    {
        Services.AddLiveDashboard(Database, Catalog);
        // The item page carries a Run button (issue 15): a runner sees and may use it.
        this.SignInAs(Web.Access.DashboardRoles.Runner, Database);
        ComponentFactories.AddStub<Web.Components.Analytics.PlanActualPanel>();
    }

    protected override async Task StartAsync() => _signal = await Services.StartRunSignalAsync();

    protected override Task StopAsync() => _signal.StopAsync(CancellationToken.None);

    private static string? LiveStatus(IRenderedComponent<PlanCatalogPage> page, int item) =>
        page.FindAll("[data-testid=plan-items] tbody tr")
            .FirstOrDefault(r => r.QuerySelector("td")?.TextContent.Trim() == $"{item}")
            ?.QuerySelector("[data-testid=plan-item-live-status]")?.GetAttribute("data-status");

    private static List<string> ItemNumbers(IRenderedComponent<PlanCatalogPage> page) =>
        [.. page.FindAll("[data-testid=plan-items] tbody tr td:first-child").Select(c => c.TextContent.Trim())];

    [Fact]
    public async Task CatalogPage_ShowsEachItemsLiveStatus_WhenItsTestsHaveResults()
    {
        await DiscoverAsync(Database, Login, "1");
        await DiscoverAsync(Database, Lockout, "2");
        await DiscoverAsync(Database, Tokens, "3");
        await RunAsync(Database, "c1", (Login, P), (Lockout, F));

        var page = Render<PlanCatalogPage>();

        page.WaitForAssertion(() => Assert.Equal("passing", LiveStatus(page, 1)));
        Assert.Equal("failing", LiveStatus(page, 2));
        Assert.Equal("not-run", LiveStatus(page, 3));
        Assert.Equal("not-implemented", LiveStatus(page, 4));
        Assert.Equal("No test", page.FindAll("[data-testid=plan-items] tbody tr")[3].QuerySelector("[data-testid=plan-item-live-status]")!.TextContent.Trim());
    }

    [Fact]
    public async Task CatalogPage_ListsOnlyFailingItems_WhenStatusFilterIsFailing()
    {
        await DiscoverAsync(Database, Login, "1");
        await DiscoverAsync(Database, Lockout, "2");
        await RunAsync(Database, "c1", (Login, P), (Lockout, F));
        var page = Render<PlanCatalogPage>();
        page.WaitForAssertion(() => Assert.Equal("failing", LiveStatus(page, 2)));

        page.Find("input[data-testid=plan-status-filter]").Closest(".mud-input-control")!.MouseDown();
        Popovers.WaitForElement(".mud-popover-open .mud-list-item");
        Popovers.FindAll(".mud-popover-open .mud-list-item").Single(i => i.TextContent.Trim() == "Failing").Click();

        page.WaitForAssertion(() => Assert.Equal(["2"], ItemNumbers(page)));
    }

    [Fact]
    public async Task CatalogPage_UpdatesStatusLive_WhenARunRecordsAResult()
    {
        await DiscoverAsync(Database, Login, "1");
        var page = Render<PlanCatalogPage>();
        page.WaitForAssertion(() => Assert.Equal("not-run", LiveStatus(page, 1)));

        var run = await RunAsync(Database, "c1", (Login, F));
        Services.GetRequiredService<RunNotifier>().Publish(new RunUpdate(run, RunUpdateKind.Ended));

        page.WaitForAssertion(() => Assert.Equal("failing", LiveStatus(page, 1)), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task ItemPage_ListsItsTestsWithStatusOutcomeAndDuration_WhenTheyHaveRun()
    {
        await DiscoverAsync(Database, Login, "1");
        await DiscoverAsync(Database, Lockout, "1");
        await RunAsync(Database, "c1", (Login, P), (Lockout, F));

        var page = Render<PlanItemPage>(p => p.Add(c => c.Number, 1));

        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("[data-testid=plan-item-test]").Count));
        Assert.Equal("failing", page.Find("[data-testid=plan-item-live-status]").GetAttribute("data-status"));
        var first = page.FindAll("[data-testid=plan-item-test]")[0];
        Assert.Equal(Lockout, first.GetAttribute("data-name"));
        Assert.Equal("Failed", first.QuerySelector("[data-testid=plan-item-test-outcome]")!.TextContent.Trim());
        Assert.Equal("2.0 s", first.QuerySelector("[data-testid=plan-item-test-duration]")!.TextContent.Trim());
        Assert.Contains("coverage/tests?name=", first.QuerySelector("a")!.GetAttribute("href"), StringComparison.Ordinal);
    }

    [Fact]
    public void ItemPage_SaysNothingProtectsIt_WhenNoTestCarriesItsNumber()
    {
        var page = Render<PlanItemPage>(p => p.Add(c => c.Number, 50));

        page.WaitForAssertion(() => Assert.Contains("No discovered test carries plan number 50", page.Find("[data-testid=plan-item-no-tests]").TextContent, StringComparison.Ordinal));
        Assert.True(page.Find("[data-testid=plan-item-tests] button[data-testid=run-button]").HasAttribute("disabled"));
    }

    [Fact]
    public async Task ItemPage_RunsOnlyItsTestsAndWaits_WhileItsRunIsQueued()
    {
        await DiscoverAsync(Database, Login, "1");
        var page = Render<PlanItemPage>(p => p.Add(c => c.Number, 1));
        var button = () => page.Find("[data-testid=plan-item-tests] button[data-testid=run-button]");
        page.WaitForAssertion(() => Assert.False(button().HasAttribute("disabled")));

        button().Click();

        page.WaitForAssertion(() => Assert.True(button().HasAttribute("disabled")));
        await using var db = Database.CreateDbContext();
        var run = await db.TestRuns.SingleAsync(Xunit.TestContext.Current.CancellationToken);
        Assert.Equal(RunStatus.Queued, run.Status);
        Assert.Equal([1], StoredSelection.FromJson(run.SelectionJson)!.Asked.PlanItems);
        Assert.Contains($"Run {run.Id}: Waiting", page.Find("[data-testid=plan-item-active-run]").TextContent, StringComparison.Ordinal);

        await db.TestRuns.Where(r => r.Id == run.Id).ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, RunStatus.Passed), Xunit.TestContext.Current.CancellationToken);
        Services.GetRequiredService<RunNotifier>().Publish(new RunUpdate(run.Id, RunUpdateKind.Ended));

        page.WaitForAssertion(() => Assert.False(button().HasAttribute("disabled")));
        Assert.Empty(page.FindAll("[data-testid=plan-item-active-run]"));
    }
}

/// <summary>A viewer sees the item's tests but is offered no Run (issue 15's roles).</summary>
public sealed class PlanItemRunAccessTests : DashboardComponentTest
{
    protected override void AddServices()
    {
        Services.AddLiveDashboard(Database, Catalog);
        this.SignInAs(Web.Access.DashboardRoles.Viewer, Database);
    }

    [Fact]
    public async Task ItemPage_ListsTestsButOffersNoRun_WhenTheUserIsAViewer()
    {
        await DiscoverAsync(Database, "Apex.Integration.Auth.LoginTests.Login_Succeeds", "1");

        var page = Render<PlanItemPage>(p => p.Add(c => c.Number, 1));

        page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-testid=plan-item-test]")));
        // RunButton shows itself to runners and admins only (issue 15), and its handler demands a runner.
        Assert.Empty(page.FindAll("[data-testid=plan-item-tests] [data-testid=run-button]"));
    }
}
