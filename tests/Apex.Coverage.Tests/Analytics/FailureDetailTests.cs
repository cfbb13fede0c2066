using Apex.Coverage.Tests.Fixtures;
using Apex.Coverage.Web.Components.Analytics;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Apex.Coverage.Tests.Analytics.History;

namespace Apex.Coverage.Tests.Analytics;

/// <summary>Issue 14 point 3: a test's duration trend on its page, and stack traces on the test and failures pages.</summary>
public sealed class FailureDetailTests : DashboardComponentTest
{
    private const string Login = "Apex.Integration.Auth.LoginTests.Login_Succeeds";
    private const string Stack = "at Apex.Platform.Auth.Login.Verify() in /src/Login.cs:line 42";

    protected override void AddServices()
    {
        Services.AddLiveDashboard(Database, Catalog);
        this.SignInAs(Web.Access.DashboardRoles.Viewer, Database);
    }

    private async Task<long> FailWithStackAsync(string commit)
    {
        var run = await RunAsync(Database, commit, (Login, F));
        await using var db = Database.CreateDbContext();
        await db.TestResults.Where(r => r.RunId == run).ExecuteUpdateAsync(s => s.SetProperty(r => r.StackTrace, Stack), Ct);
        return run;
    }

    private IRenderedComponent<TestCoveragePage> RenderTestPage()
    {
        Services.GetRequiredService<NavigationManager>().NavigateTo($"coverage/tests?name={Uri.EscapeDataString(Login)}");
        return Render<TestCoveragePage>();
    }

    [Fact]
    public async Task TestPage_DrawsOnePointPerRunAndMarksFailures_WhenTestHasHistory()
    {
        await DiscoverAsync(Database, Login, "1");
        await RunAsync(Database, "a", (Login, P));
        await FailWithStackAsync("b");
        await RunAsync(Database, "c", (Login, P));

        var page = RenderTestPage();

        page.WaitForAssertion(() => Assert.Equal("3", page.Find("[data-testid=duration-trend]").GetAttribute("data-points")));
        Assert.Single(page.FindAll("[data-testid=duration-trend] circle.apex-trend-failed"));
        Assert.Equal(2, page.FindAll("[data-testid=duration-trend] circle.apex-trend-point").Count);
        Assert.Contains("Duration of the last 3 runs", page.Find("[data-testid=duration-trend] svg").GetAttribute("aria-label"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TestPage_ShowsTheStackTrace_WhenAFailedRunIsOpened()
    {
        await DiscoverAsync(Database, Login, "1");
        await FailWithStackAsync("a");
        var page = RenderTestPage();
        page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-testid=coverage-test-history] [data-testid=failure-detail-toggle]")));
        Assert.Empty(page.FindAll("[data-testid=failure-stack]"));

        page.Find("[data-testid=coverage-test-history] button[data-testid=failure-detail-toggle]").Click();

        page.WaitForAssertion(() => Assert.Equal(Stack, page.Find("[data-testid=failure-stack]").TextContent));
    }

    [Fact]
    public async Task FailuresPage_ShowsTheStackTrace_WhenAFailureIsOpened()
    {
        await DiscoverAsync(Database, Login, "1");
        await FailWithStackAsync("a");
        var page = Render<FailuresPage>();
        page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-testid=failure-group]")));

        page.Find("[data-testid=failure-group] button[data-testid=failure-detail-toggle]").Click();

        page.WaitForAssertion(() => Assert.Equal(Stack, page.Find("[data-testid=failure-stack]").TextContent));
        Assert.Contains("1 test ·", page.Find("[data-testid=failure-group]").TextContent, StringComparison.Ordinal);
    }
}
