using Apex.Coverage.Tests.Fixtures;
using Apex.Coverage.Web.Components.Standards;
using Apex.Coverage.Web.Standards;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MudBlazor.Services;

namespace Apex.Coverage.Tests.Standards;

public sealed class StandardsPanelTests : DashboardComponentTest
{
    private readonly StandardsSource _source = new();

    protected override void AddServices()
    {
        Services.AddMudServices();
        Services.AddSingleton(Catalog);
        Services.AddSingleton(TimeProvider.System);
        Services.AddSingleton(new StandardsSuite("Std", Path.GetDirectoryName(_source.Project), _source.Root));
        Services.AddSingleton(Options.Create(new StandardsOptions()));
        Services.AddSingleton<StandardsService>();
    }

    protected override Task StopAsync()
    {
        _source.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public void Panel_ListsTheItemsFindingWithFileAndClass_WhenItsBvjLacksAField()
    {
        var panel = Render<StandardsPanel>(p => p.Add(c => c.Items, [1]));

        panel.WaitForAssertion(() => Assert.Single(panel.FindAll("[data-testid=standards-findings] tr[data-rule=bvj]")));
        var cells = panel.FindAll("tr[data-rule=bvj] td").Select(c => c.TextContent.Trim()).ToList();
        Assert.Equal(["BVJ", "suite/Auth/ItemOneTests.cs:3", "ItemOneTests"], cells[..3]);
        Assert.StartsWith("1 finding in 1 test class", panel.Find("[data-testid=standards-summary]").TextContent.Trim());
    }

    [Fact]
    public void Panel_SaysTheClassMeetsEveryStandard_WhenItsItemHasNoFinding()
    {
        var panel = Render<StandardsPanel>(p => p.Add(c => c.Items, [2]));

        panel.WaitForAssertion(() => Assert.StartsWith("Its test class meets every standard", panel.Find("[data-testid=standards-summary]").TextContent.Trim()));
        Assert.Empty(panel.FindAll("[data-testid=standards-findings]"));
        Assert.Contains("functions ≤ 25 lines of code", panel.Find("[data-testid=standards-summary]").TextContent);
    }
}
