using Apex.Coverage.Tests.Fixtures;
using Apex.Coverage.Web.Components.Plan;
using Apex.Coverage.Web.Plan;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using MudBlazor.Services;

namespace Apex.Coverage.Tests.Plan;

public sealed class PlanHistoryPageTests : DashboardComponentTest
{
    private PlanImporter _importer = null!;

    protected override void AddServices()
    {
        _importer = new PlanImporter(Database, Catalog, TimeProvider.System, NullLogger<PlanImporter>.Instance);
        Services.AddMudServices();
        Services.AddSingleton(Catalog);
        Services.AddSingleton(new PlanHistory(Database));
    }

    [Fact]
    public async Task HistoryPage_ShowsEachVersionWithItsDiff_WhenPlanWasEdited()
    {
        var text = PlanFixtures.Text(PlanFixtures.SecondPlan);
        await _importer.ImportAsync(System.Text.Encoding.UTF8.GetBytes(text), "v1", Ct);
        await _importer.ImportAsync(System.Text.Encoding.UTF8.GetBytes(
            text.Replace("#### 3. Partial Refund Flow", "#### 3. Partial Refund Journey", StringComparison.Ordinal)), "v2", Ct);

        var page = Render<PlanHistoryPage>();

        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("[data-version]").Count));
        var renamed = page.Find("tr[data-kind=ItemRenamed]");
        Assert.Contains("Partial Refund Flow", renamed.TextContent, StringComparison.Ordinal);
        Assert.Contains("Partial Refund Journey", renamed.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HistoryPage_AddsVersion_WhenImportHappensWhileOpen()
    {
        await _importer.ImportAsync(PlanFixtures.Bytes(PlanFixtures.SecondPlan), "v1", Ct);
        var page = Render<PlanHistoryPage>();
        page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-version]")));

        await _importer.ImportAsync(PlanFixtures.Bytes(PlanFixtures.RealPlan), "v2", Ct);

        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("[data-version]").Count));
        Assert.NotEmpty(page.FindAll("tr[data-kind=CategoryAdded]"));
    }

    [Fact]
    public void HistoryPage_SaysNoVersionYet_WhenDatabaseIsEmpty()
    {
        var page = Render<PlanHistoryPage>();

        page.WaitForAssertion(() => Assert.Contains("No plan version", page.Find("[data-testid=plan-history-empty]").TextContent, StringComparison.Ordinal));
    }
}
