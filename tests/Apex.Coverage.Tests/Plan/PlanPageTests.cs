using Apex.Coverage.Tests.Fixtures;
using Apex.Coverage.Web.Components.Plan;
using Apex.Coverage.Web.Plan;
using Bunit;
using Microsoft.Extensions.DependencyInjection;

namespace Apex.Coverage.Tests.Plan;

public sealed class PlanPageTests : DashboardComponentTest
{
    protected override void AddServices()
    {
        Services.AddLiveDashboard(Database, Catalog);
        // The item page carries a Run button (issue 15): a runner sees and may use it.
        this.SignInAs(Web.Access.DashboardRoles.Runner, Database);
        // Declared-vs-actual and mapping conflicts read the coverage report (CoveragePageTests covers them).
        ComponentFactories.AddStub<Apex.Coverage.Web.Components.Analytics.PlanActualPanel>();
    }

    private void Show(string fixture, int version = 1)
    {
        var parsed = PlanFixtures.Parse(fixture);
        Catalog.Publish(new PlanSnapshot(version, parsed.Document, parsed.Findings, DateTimeOffset.UnixEpoch, fixture), attempt: null);
    }

    private static int ItemRows(IRenderedComponent<PlanCatalogPage> page) =>
        page.FindAll("[data-testid=plan-items] tbody tr").Count;

    [Fact]
    public void CatalogPage_ListsCategoriesWithFiguresAndShare_WhenRealPlanIsCurrent()
    {
        Show(PlanFixtures.RealPlan);

        var page = Render<PlanCatalogPage>();

        var rows = page.FindAll("[data-testid=plan-categories] tbody tr");
        Assert.Equal(8, rows.Count);
        Assert.Contains("Authentication &amp; Authorization", rows[0].InnerHtml, StringComparison.Ordinal);
        Assert.Contains("$150K", rows[0].TextContent, StringComparison.Ordinal);
        Assert.Contains("P0", rows[0].TextContent, StringComparison.Ordinal);
        Assert.Contains("17.2%", rows[0].TextContent, StringComparison.Ordinal);
        Assert.Equal(25, ItemRows(page));
    }

    [Fact]
    public void CatalogPage_FiltersItems_WhenSearchTermIsTyped()
    {
        Show(PlanFixtures.RealPlan);
        var page = Render<PlanCatalogPage>();

        page.Find("input[data-testid=plan-search], [data-testid=plan-search] input").Input("SAML");

        page.WaitForAssertion(() => Assert.Equal(1, ItemRows(page)));
        Assert.Contains("SAML SSO Integration", page.Find("[data-testid=plan-items] tbody").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void CatalogPage_ShowsOnlyThatCategory_WhenCategoryNameIsClicked()
    {
        Show(PlanFixtures.RealPlan);
        var page = Render<PlanCatalogPage>();

        page.FindAll("[data-testid=plan-categories] tbody tr a").Last().Click();

        page.WaitForAssertion(() => Assert.Equal(5, ItemRows(page)));
        Assert.StartsWith("96", page.Find("[data-testid=plan-items] tbody tr td").TextContent.Trim(), StringComparison.Ordinal);
    }

    [Fact]
    public void CatalogPage_ShowsLintFindingsWithLines_WhenPlanDisagreesWithItself()
    {
        Show(PlanFixtures.RealPlan);

        var page = Render<PlanCatalogPage>();

        var finding = page.Find("[data-testid=plan-findings] [data-code=category-mrr-vs-bvj]");
        Assert.Contains("line 39", finding.TextContent, StringComparison.Ordinal);
        Assert.Contains("$169K", finding.TextContent, StringComparison.Ordinal);
        Assert.Contains("Success metrics", page.Find("[data-testid=plan-metrics]").TextContent, StringComparison.Ordinal);
        Assert.Contains("10 min", page.Find("[data-testid=plan-metrics]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void CatalogPage_RendersNewCatalog_WhenImportPublishesOne()
    {
        Show(PlanFixtures.SecondPlan);
        var page = Render<PlanCatalogPage>();
        Assert.Equal(3, page.FindAll("[data-testid=plan-categories] tbody tr").Count);

        Show(PlanFixtures.RealPlan, version: 2);

        page.WaitForAssertion(() => Assert.Equal(8, page.FindAll("[data-testid=plan-categories] tbody tr").Count));
        Assert.Contains("version 2", page.Find("[data-testid=plan-version]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void CatalogPage_WarnsAboveLastGoodCatalog_WhenImportIsRejected()
    {
        Show(PlanFixtures.SecondPlan);
        var page = Render<PlanCatalogPage>();
        var broken = PlanFixtures.Parse("truncated.md");

        Catalog.Reject(new PlanImportResult(PlanImportOutcome.Rejected, null, broken.Findings, [], DateTimeOffset.UtcNow, "plan.md"));

        page.WaitForAssertion(() => Assert.Contains("line 20", page.Find("[data-testid=plan-import-rejected]").TextContent, StringComparison.Ordinal));
        Assert.Contains("last good one, version 1", page.Find("[data-testid=plan-import-rejected]").TextContent, StringComparison.Ordinal);
        Assert.Equal(3, page.FindAll("[data-testid=plan-categories] tbody tr").Count);
    }

    [Fact]
    public void ItemPage_ShowsBvjComponentsScenariosAndStatus_WhenItemExists()
    {
        Show(PlanFixtures.RealPlan);

        var page = Render<PlanItemPage>(p => p.Add(c => c.Number, 31));

        Assert.Equal("31. Supervisor-SubAgent Communication", page.Find("[data-testid=plan-item-title]").TextContent.Trim());
        Assert.Equal("Plan says: Implemented", page.Find("[data-testid=plan-item-status]").TextContent.Trim());
        Assert.Contains("$30K", page.Find("[data-testid=plan-item-bvj]").TextContent, StringComparison.Ordinal);
        Assert.Contains("tool dispatcher", page.Find("[data-testid=plan-item-components]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void ItemPage_ListsScenarios_WhenItemHasThem()
    {
        Show(PlanFixtures.RealPlan);

        var page = Render<PlanItemPage>(p => p.Add(c => c.Number, 3));

        var scenarios = page.Find("[data-testid=plan-item-scenarios]").TextContent;
        Assert.Contains("cross-instance sync", scenarios, StringComparison.Ordinal);
        Assert.Equal("Plan says: Planned", page.Find("[data-testid=plan-item-status]").TextContent.Trim());
    }

    [Fact]
    public void ItemPage_SaysSo_WhenPlanHasNoSuchItem()
    {
        Show(PlanFixtures.SecondPlan);

        var page = Render<PlanItemPage>(p => p.Add(c => c.Number, 99));

        Assert.Contains("no item 99", page.Find("[data-testid=plan-item-missing]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void PlanSummaryCard_ShowsPlanSummaryAndTopFindings_WhenCatalogIsCurrent()
    {
        Show(PlanFixtures.RealPlan);

        // The card the overview (Home) shows; Home itself composes analytics and runner panels too.
        var page = Render<PlanSummaryCard>();

        Assert.Contains("100 items", page.Find("[data-testid=plan-summary]").TextContent, StringComparison.Ordinal);
        Assert.Contains("4 declared implemented", page.Find("[data-testid=plan-summary]").TextContent, StringComparison.Ordinal);
        Assert.Equal(5, page.FindAll("[data-testid=plan-findings] [data-code]").Count);
    }
}
