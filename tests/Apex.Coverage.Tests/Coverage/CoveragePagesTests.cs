using Apex.Coverage.Web.Access;
using Apex.Coverage.Tests.Fixtures;
using Apex.Coverage.Web.CodeCoverage;
using Apex.Coverage.Web.Components.CodeCoverage;
using Apex.Coverage.Web.Components.Runs;
using Apex.Coverage.Web.Data;
using Apex.Coverage.Web.Plan;
using Apex.Coverage.Web.Results;
using Apex.Coverage.Web.Runs;
using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MudBlazor.Services;

namespace Apex.Coverage.Tests.Coverage;

/// <summary>The coverage card, category panel, run and file pages, and the Run button's coverage switch, on seeded coverage.</summary>
public sealed class CoveragePagesTests : DashboardComponentTest
{
    protected override void AddServices()
    {
        var coverage = new CodeCoverageOptions();
        coverage.Categories["business-critical-flows"] = ["Billing", "Metering"];
        Services.AddMudServices();
        this.SignInAs(DashboardRoles.Runner, Database);
        Services.AddSingleton(Catalog);
        Services.AddSingleton<IDbContextFactory<CoverageDbContext>>(Database);
        Services.AddSingleton(new CodeCoverageStore(Database, Options.Create(coverage)));
        Services.AddRunRequests(Database, Catalog);
    }

    private async Task<long> SeedAsync(string? note, params (string Module, int Covered, int Valid)[] modules)
    {
        await using var db = Database.CreateDbContext();
        var run = new TestRun { SuiteName = "L2", Status = RunStatus.Passed, CreatedAt = DateTimeOffset.UtcNow, CollectCoverage = true };
        db.TestRuns.Add(run);
        await db.SaveChangesAsync(Xunit.TestContext.Current.CancellationToken);
        db.RunCodeCoverage.Add(new RunCodeCoverage
        {
            RunId = run.Id, Target = "Apex.Platform", Note = note, RecordedAt = DateTimeOffset.UtcNow,
            LinesCovered = modules.Sum(m => m.Covered), LinesValid = modules.Sum(m => m.Valid), BranchesCovered = 1, BranchesValid = 4,
            Modules = [.. modules.Select(m => new ModuleCodeCoverage { RunId = run.Id, Name = m.Module, Files = 1, LinesCovered = m.Covered, LinesValid = m.Valid })],
        });
        db.FileCodeCoverage.AddRange(modules.Select(m => new FileCodeCoverage
        {
            RunId = run.Id, Module = m.Module, Path = $"{m.Module}/Service.cs", LinesCovered = m.Covered, LinesValid = m.Valid, UncoveredLines = "13-16,25",
        }));
        await db.SaveChangesAsync(Xunit.TestContext.Current.CancellationToken);
        return run.Id;
    }

    [Fact]
    public async Task Card_ShowsLineCoverageAgainstPlansTargetAndStart_WhenARunMeasuredIt()
    {
        await SeedAsync(null, ("Auth", 20, 100));
        var latest = await SeedAsync(null, ("Auth", 30, 100), ("Billing", 10, 100));

        var card = Render<CodeCoverageCard>();

        card.WaitForAssertion(() => Assert.Equal("20.0%", card.Find("[data-testid=code-coverage-line]").TextContent));
        Assert.Equal("target 60% · plan's start 13.5% · 40.0 points to go", card.Find("[data-testid=code-coverage-goal]").TextContent.Trim());
        Assert.Equal($"coverage/runs/{latest}", card.Find("[data-testid=code-coverage-latest]").GetAttribute("href"));
        Assert.Empty(card.FindAll("[data-testid=code-coverage-trend] p"));
    }

    [Fact]
    public async Task Card_SaysNothingIsMeasuredYet_WhenOnlyANoteWasStored()
    {
        await SeedAsync("the collector wrote no coverage report.");

        var card = Render<CodeCoverageCard>();

        card.WaitForAssertion(() => Assert.Contains("The plan's target is 60%, up from 13.5%.", card.Find("[data-testid=code-coverage-none]").TextContent, StringComparison.Ordinal));
    }

    [Fact]
    public async Task CategoryPanel_ShowsItsModulesCoverage_WhenModulesAreConfigured()
    {
        await SeedAsync(null, ("Auth", 50, 100), ("Billing", 30, 40), ("Metering", 0, 10));
        var category = Catalog.Current!.Document.Categories.Single(c => c.Slug == "business-critical-flows");

        var panel = Render<CategoryModulesPanel>(p => p.Add(c => c.Category, category));

        panel.WaitForAssertion(() => Assert.StartsWith("60.0% of lines", panel.Find("[data-testid=category-modules-total]").TextContent.Trim(), StringComparison.Ordinal));
        Assert.Equal(["Billing", "Metering"], panel.FindAll("[data-testid=category-modules] tr[data-module]").Select(r => r.GetAttribute("data-module")));
    }

    [Fact]
    public async Task CategoryPanel_FindsModulesByName_WhenCategoryIsNotConfigured()
    {
        await SeedAsync(null, ("Auth", 50, 100), ("Caching", 3, 4));
        var category = Catalog.Current!.Document.Categories.Single(c => c.Slug == "cache-state-management");

        var panel = Render<CategoryModulesPanel>(p => p.Add(c => c.Category, category));

        panel.WaitForAssertion(() => Assert.Equal("Caching", panel.Find("[data-testid=category-modules] tr[data-module]").GetAttribute("data-module")));
    }

    [Fact]
    public async Task FilePage_ListsTheUncoveredLines_WhenFileWasMeasured()
    {
        var id = await SeedAsync(null, ("Auth", 5, 10));

        var navigation = Services.GetRequiredService<Microsoft.AspNetCore.Components.NavigationManager>();
        navigation.NavigateTo($"coverage/runs/{id}/file?path=Auth%2FService.cs");

        var page = Render<CoverageFilePage>(p => p.Add(c => c.RunId, id));

        page.WaitForAssertion(() => Assert.Equal(["13-16", "25"], page.FindAll("[data-testid=coverage-file-uncovered] .mud-chip").Select(c => c.TextContent.Trim())));
    }

    [Fact]
    public async Task RunPage_ShowsTheNote_WhenCoverageIsMissing()
    {
        var id = await SeedAsync("the coverage report could not be read: truncated.");

        var page = Render<RunCoveragePage>(p => p.Add(c => c.RunId, id));

        page.WaitForAssertion(() => Assert.Contains("could not be read: truncated.", page.Find("[data-testid=run-coverage-note]").TextContent, StringComparison.Ordinal));
    }

    [Fact]
    public async Task RunButton_QueuesACoverageRun_WhenCoverageSwitchIsOn()
    {
        var button = Render<RunButton>(p => p.Add(c => c.PlanItems, [7]));

        await button.Find("input[type=checkbox]").ChangeAsync(new() { Value = true });
        await button.Find("[data-testid=run-button]").ClickAsync(new());

        await using var db = Database.CreateDbContext();
        var run = await db.TestRuns.AsNoTracking().SingleAsync(Xunit.TestContext.Current.CancellationToken);
        Assert.True(run.CollectCoverage);
    }
}
