using Apex.Coverage.Web.Access;
using Apex.Coverage.Tests.Fixtures;
using Apex.Coverage.Web.Analytics;
using Apex.Coverage.Web.Components.Analytics;
using Apex.Coverage.Web.Standards;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using static Apex.Coverage.Tests.Analytics.History;

namespace Apex.Coverage.Tests.Analytics;

public sealed class CoveragePageTests : DashboardComponentTest
{
    private const string AuthTest = "Apex.Integration.Auth.OAuthFlowTests.CodeExchange_IssuesJwt";

    protected override void AddServices()
    {
        Services.AddLiveDashboard(Database, Catalog);
        this.SignInAs(DashboardRoles.Runner, Database);
        Services.AddSingleton<CoverageTrend>();
        Services.AddSingleton<SinceLastFullRunReader>();
        // Run actions are the runner's (RunPageTests); here only their place on the page matters.
        ComponentFactories.AddStub<Apex.Coverage.Web.Components.Runs.RunButton>();
        Services.AddSingleton(new StandardsSuite("L2", null, Path.GetTempPath()));
        Services.AddSingleton(Options.Create(new StandardsOptions()));
        Services.AddSingleton<StandardsService>();
        Services.AddMutationPages();
    }

    private static string Row(IRenderedComponent<CoverageOverview> page, string slug) =>
        page.Find($"tr[data-slug={slug}] [data-testid=category-status]").GetAttribute("data-status")!;

    [Fact]
    public void Overview_ShowsKpisAgainstPlanTargets_WhenNothingHasRun()
    {
        var page = Render<CoverageOverview>();

        page.WaitForAssertion(() => Assert.Equal("0 of 100", page.Find("[data-testid=kpi-implemented-value]").TextContent));
        Assert.Equal("target 60%", page.Find("[data-testid=kpi-implemented-target]").TextContent);
        Assert.Equal("target $870K", page.Find("[data-testid=kpi-protected-target]").TextContent);
        Assert.Equal("target ≤ 10 min", page.Find("[data-testid=kpi-duration-target]").TextContent);
        Assert.Equal("target < 1%", page.Find("[data-testid=kpi-flaky-target]").TextContent);
        Assert.Equal(8, page.FindAll("[data-testid=coverage-category-row]").Count);
        Assert.Equal("not-implemented", Row(page, "authentication-authorization"));
    }

    [Fact]
    public async Task Overview_ShowsCategoryPassingAndMismatches_WhenItsTestPassed()
    {
        await DiscoverAsync(Database, AuthTest, "1");
        await RunAsync(Database, "c1", (AuthTest, P));

        var page = Render<CoverageOverview>();

        page.WaitForAssertion(() => Assert.Equal("1 of 100", page.Find("[data-testid=kpi-implemented-value]").TextContent));
        Assert.Equal("passing", Row(page, "authentication-authorization")); // item 1 passes; items 2-15 have no test
        Assert.Equal("1", page.Find("tr[data-slug=authentication-authorization] [data-testid=category-passing]").TextContent);
        // Plan housekeeping lives on the plan page now. The plan marks items 1-4 ✅; 2-4 have no
        // test, so they are mismatches, item 1 is not.
        Assert.Empty(page.FindAll("[data-testid=coverage-mismatch]"));
        var panel = Render<PlanActualPanel>();
        var mismatched = panel.FindAll("[data-testid=coverage-mismatch]").Select(r => r.GetAttribute("data-item")).ToList();
        Assert.DoesNotContain("1", mismatched);
        Assert.Contains("2", mismatched);
    }

    [Fact]
    public async Task Overview_ExplainsEachFigureOnceInWords_AndShowsNoSettingKey()
    {
        await DiscoverAsync(Database, AuthTest, "1");
        await RunAsync(Database, "c1", (AuthTest, F));

        var page = Render<CoverageOverview>();

        page.WaitForAssertion(() => Assert.Equal("1 of 100", page.Find("[data-testid=kpi-implemented-value]").TextContent));
        page.WaitForAssertion(() => page.Find("[data-testid=verified-mrr-how]"));
        string[] figures = ["kpi-implemented", "kpi-protected", "kpi-duration", "kpi-flaky", "verified-mrr"];
        Assert.All(figures, f => Assert.Single(page.FindAll($"[data-testid={f}-how]")));
        Assert.Equal(figures.Length, page.FindAll("details.apex-how").Count);
        Assert.Contains("BVJ", page.Find("[data-testid=kpi-protected-how]").TextContent, StringComparison.Ordinal);
        Assert.Contains("every test of the suite", page.Find("[data-testid=kpi-duration-how]").TextContent, StringComparison.Ordinal);
        // The flaky rule's window is a setting: the page says its value, never its key.
        Assert.Contains("in its last 30 runs", page.Find("[data-testid=kpi-flaky-how]").TextContent, StringComparison.Ordinal);
        Assert.Equal("Failing", page.Find("tr[data-slug=authentication-authorization] [data-testid=category-status]").TextContent.Trim());
        PlainWords.AssertPlain(page);
    }

    [Fact]
    public async Task Overview_RendersAgain_WhenQuarantineChanges()
    {
        await DiscoverAsync(Database, AuthTest, "1");
        await RunAsync(Database, "c1", (AuthTest, F));
        var page = Render<CoverageOverview>();
        page.WaitForAssertion(() => Assert.Equal("failing", Row(page, "authentication-authorization")));

        await Services.GetRequiredService<QuarantineBook>().QuarantineAsync(AuthTest, "flaky on CI", "dana");

        page.WaitForAssertion(() => Assert.Equal("quarantined", Row(page, "authentication-authorization")), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task TestPage_QuarantinesTestAsTheSignedInRunner_WhenReasonIsGiven()
    {
        var page = await QuarantineOnTheTestPageAsync();

        page.WaitForAssertion(() => Assert.Equal("quarantined", page.Find("[data-testid=coverage-test-status]").GetAttribute("data-status")));
        Assert.Contains("Quarantined by dana", page.Find("[data-testid=quarantine-active]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TestPage_PutsQuarantineAndReleaseOnTheAuditTrail_AsTheSignedInRunner()
    {
        var page = await QuarantineOnTheTestPageAsync();
        page.WaitForAssertion(() => page.Find("button[data-testid=quarantine-release]"));

        page.Find("button[data-testid=quarantine-release]").Click();

        page.WaitForAssertion(() => Assert.Equal("failing", page.Find("[data-testid=coverage-test-status]").GetAttribute("data-status")));
        await using var db = Database.CreateDbContext();
        var trail = await db.AuditEntries.AsNoTracking().OrderBy(e => e.Id).Select(e => new { e.Actor, e.Action, e.Subject, e.Detail }).ToListAsync();
        Assert.Equal(
            [new { Actor = "dana", Action = Web.Audit.AuditActions.TestQuarantined, Subject = (string?)AuthTest, Detail = (string?)"Times out on the shared runner" },
             new { Actor = "dana", Action = Web.Audit.AuditActions.TestReleased, Subject = (string?)AuthTest, Detail = (string?)null }],
            trail);
    }

    [Fact]
    public async Task ItemPage_ShowsStripFlipRateAndTraits_WhenTestHasHistory()
    {
        await DiscoverAsync(Database, AuthTest, "1", """{"PlanId":["1"],"BVJ":["$15K MRR"]}""");
        await RunAsync(Database, "a", (AuthTest, P));
        await RunAsync(Database, "b", (AuthTest, F));
        await RunAsync(Database, "c", (AuthTest, P));

        var page = Render<ItemCoveragePage>(p => p.Add(c => c.Number, 1));

        page.WaitForAssertion(() => Assert.Equal(3, page.FindAll("[data-testid=outcome-strip] [data-outcome]").Count));
        Assert.Equal(["Passed", "Failed", "Passed"], page.FindAll("[data-testid=outcome-strip] [data-outcome]").Select(e => e.GetAttribute("data-outcome")));
        Assert.Contains("Flip rate 100.0% (2 flips in 3 runs)", page.Find("[data-testid=coverage-item-test]").TextContent, StringComparison.Ordinal);
        Assert.Contains("BVJ: $15K MRR", page.Find("[data-testid=coverage-item-traits]").TextContent, StringComparison.Ordinal);
        Assert.Equal("flaky", page.Find("[data-testid=coverage-item-status]").GetAttribute("data-status"));
    }

    [Fact]
    public async Task FailuresPage_GroupsFailures_WhenMessagesDifferOnlyInNumbers()
    {
        await DiscoverAsync(Database, "A.T1", "1");
        await DiscoverAsync(Database, "A.T2", "2");
        await RunAsync(Database, "c1", ("A.T1", F), ("A.T2", F));

        var page = Render<FailuresPage>();

        page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-testid=failure-group]")));
        Assert.Contains("Expected <n> but was <n>", page.Find("[data-testid=failure-group]").TextContent, StringComparison.Ordinal);
        Assert.Contains("2 tests", page.Find("[data-testid=failure-group]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FlakyPage_RanksByMrrAtRiskTimesFlipRate_WhenTwoTestsAreFlaky()
    {
        // Both flip on one commit (flip rate 1.0); the one whose item carries more MRR ranks first.
        var shares = CoverageCalculator.ItemShares(Catalog.Current!.Document);
        var (richItem, poorItem) = shares[1] >= shares[97] ? (1, 97) : (97, 1);
        Assert.NotEqual(shares[richItem], shares[poorItem]);
        await DiscoverAsync(Database, "A.Rich", $"{richItem}");
        await DiscoverAsync(Database, "A.Poor", $"{poorItem}");
        await RunAsync(Database, "x", ("A.Rich", F), ("A.Poor", F));
        await RunAsync(Database, "x", ("A.Rich", P), ("A.Poor", P));

        var page = Render<FlakyTestsPage>();

        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("[data-testid=flaky-test]").Count));
        Assert.Contains("A.Rich", page.FindAll("[data-testid=flaky-test]")[0].TextContent, StringComparison.Ordinal);
        Assert.Contains("A.Poor", page.FindAll("[data-testid=flaky-test]")[1].TextContent, StringComparison.Ordinal);
    }

    /// <summary>A failing test's page, with "Times out on the shared runner" submitted as the quarantine reason.</summary>
    private async Task<IRenderedComponent<TestCoveragePage>> QuarantineOnTheTestPageAsync()
    {
        await DiscoverAsync(Database, AuthTest, "1");
        await RunAsync(Database, "c1", (AuthTest, F));
        Services.GetRequiredService<NavigationManager>().NavigateTo($"coverage/tests?name={Uri.EscapeDataString(AuthTest)}");
        var page = Render<TestCoveragePage>();
        page.WaitForAssertion(() => Assert.Equal("failing", page.Find("[data-testid=coverage-test-status]").GetAttribute("data-status")));
        page.Find("input[data-testid=quarantine-reason], [data-testid=quarantine-reason] input").Change("Times out on the shared runner");
        page.Find("button[data-testid=quarantine-submit]").Click();
        return page;
    }
}
