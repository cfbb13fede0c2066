using Apex.Coverage.Web.Access;
using Apex.Coverage.Tests.Fixtures;
using Apex.Coverage.Web.Components.Mutation;
using Apex.Coverage.Web.Data;
using Apex.Coverage.Web.Mutation;
using Apex.Coverage.Web.Plan;
using Apex.Coverage.Web.Runs;
using Apex.Coverage.Tests.Source;
using Apex.Coverage.Web.Components.Source;
using Apex.Coverage.Web.Source;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using static Apex.Coverage.Tests.Analytics.History;

namespace Apex.Coverage.Tests.Mutation;

public sealed class MutationPagesTests : DashboardComponentTest
{
    private const string AuthTest = "Apex.Integration.Auth.OAuthFlowTests.CodeExchange_IssuesJwt";
    private const string Jwt = "src/Apex.Platform/Auth/Jwt.cs";
    private readonly GitSandbox _repo = new();

    protected override void AddServices()
    {
        Services.AddLiveDashboard(Database, Catalog).AddMutationPages();
        Services.AddSingleton(Options.Create(new RunsOptions { DefaultSuite = "l2" }));
        Services.AddSingleton(_repo.Files);
        this.SignInAs(DashboardRoles.Runner, Database);
    }

    protected override async Task StartAsync()
    {
        await DiscoverAsync(Database, AuthTest, "1");
        await RunAsync(Database, "c1", (AuthTest, P));
    }

    protected override Task StopAsync()
    {
        _repo.Dispose();
        return Task.CompletedTask;
    }

    private async Task<long> CompletedRunAsync(int item, int killed, int survived, string? commit = null, params ReportedMutant[] unreached)
    {
        var store = Services.GetRequiredService<MutationStore>();
        var run = await store.QueueAsync("l2", item, "api", CancellationToken.None);
        var report = new MutationReport([new ReportedFile(Jwt, new MutationCounts(killed, survived, unreached.Length, 0))],
            [new ReportedMutant(Jwt, 42, 9, "Equality mutation", "expiry > now", "Survived"), .. unreached]);
        await store.MoveAsync(run.Id, MutationRunStatus.Queued, MutationRunStatus.Running, CancellationToken.None);
        await store.UpdateAsync(run.Id, r => { MutationMerge.Apply(r, MutationMerge.Merge(report, null)); r.Commit = commit; }, CancellationToken.None);
        await store.MoveAsync(run.Id, MutationRunStatus.Running, MutationRunStatus.Completed, CancellationToken.None);
        return run.Id;
    }

    [Fact]
    public void ItemPanel_SaysUnverified_WhenTheItemWasNeverMutated()
    {
        var panel = Render<ItemMutationPanel>(p => p.Add(c => c.PlanItem, 1));

        panel.WaitForAssertion(() => Assert.Contains("Never mutated: unverified", panel.Find("[data-testid=item-mutation-none]").TextContent));
    }

    [Fact]
    public async Task ItemPanel_ShowsScoreVerdictAndSurvivorsFileLineAndMutation_AfterACompletedRun()
    {
        await CompletedRunAsync(1, killed: 9, survived: 1);

        var panel = Render<ItemMutationPanel>(p => p.Add(c => c.PlanItem, 1));

        panel.WaitForAssertion(() => Assert.StartsWith("90% — verified (≥ 80%)", panel.Find("[data-testid=item-mutation-summary]").TextContent.Trim()));
        var cells = panel.FindAll("[data-testid=survivors] td").Select(c => c.TextContent.Trim()).ToList();
        Assert.Equal(["src/Apex.Platform/Auth/Jwt.cs:42", "Survived", "Equality mutation", "expiry > now"], cells);
    }

    [Fact]
    public async Task ItemPanel_SaysInWordsWhatIsMissingAndWhoSetsIt_WhenTheItemsCategoryHasNoModules()
    {
        var panel = Render<ItemMutationPanel>(p => p.Add(c => c.PlanItem, 1));

        await panel.Find("[data-testid=item-mutation-start]").ClickAsync(new());

        panel.WaitForAssertion(() => panel.Find("[data-testid=item-mutation-error]"));
        var alert = panel.Find("[data-testid=item-mutation-error]");
        Assert.Contains("no part of the platform is linked to its category, Authentication & Authorization", alert.TextContent, StringComparison.Ordinal);
        Assert.Contains("An administrator links the category to its platform modules", alert.TextContent, StringComparison.Ordinal);
        Assert.Equal("Coverage:Categories:authentication-authorization in appsettings.json", alert.GetAttribute("title"));
        PlainWords.AssertPlain(panel);
        Assert.Empty(await Services.GetRequiredService<MutationStore>().ListAsync(10, Ct));
    }

    [Fact]
    public async Task ItemPanel_NamesTheWaitingRunsStatusInWords_WhileARunIsQueued()
    {
        var queued = await Services.GetRequiredService<MutationStore>().QueueAsync("l2", 1, "api", Ct);

        var panel = Render<ItemMutationPanel>(p => p.Add(c => c.PlanItem, 1));

        panel.WaitForAssertion(() => panel.Find("[data-testid=item-mutation-active]"));
        var link = panel.Find("[data-testid=item-mutation-active]");
        Assert.Equal(($"Run #{queued.Id}: Waiting", MutationRunStatus.Queued), (link.TextContent.Trim(), link.GetAttribute("data-status")));
    }

    [Fact]
    public async Task ItemPanel_ListsWhatTheTestsRanFirstAndFoldsWhatTheyNeverRan_EachLinkedToItsSourceLine()
    {
        var id = await CompletedRunAsync(1, killed: 5, survived: 1, unreached: [Unreached(7), Unreached(3)]);

        var panel = Render<ItemMutationPanel>(p => p.Add(c => c.PlanItem, 1));

        panel.WaitForAssertion(() => Assert.Equal("1 change the tests ran and still passed", panel.Find("[data-testid=survivors-heading]").TextContent));
        Assert.Equal($"source?path=src%2FApex.Platform%2FAuth%2FJwt.cs&line=42&mutationRun={id}#L42", panel.Find("[data-testid=survivors] a").GetAttribute("href"));
        Assert.Equal("2 changes in code these tests never ran", panel.Find("[data-testid=unreached-heading]").TextContent);
        Assert.Empty(panel.FindAll("[data-testid=unreached]"));
        panel.Find("[data-testid=unreached-toggle]").Click();
        var rows = panel.FindAll("[data-testid=unreached] tbody tr").Select(r => r.QuerySelectorAll("td").Select(c => c.TextContent.Trim()).Take(2)).ToList();
        Assert.Equal([["src/Apex.Platform/Auth/Jwt.cs:3", "No test ran it"], ["src/Apex.Platform/Auth/Jwt.cs:7", "No test ran it"]], rows);
    }

    [Fact]
    public async Task SourcePage_MarksTheLineAndShowsTheRunsMutantsUnderTheirLines_AtTheRunsCommit()
    {
        _repo.Write(Jwt, string.Join('\n', Enumerable.Range(1, 50).Select(n => $"// line {n}")));
        var commit = _repo.Commit("jwt");
        _repo.Write(Jwt, "// rewritten since the run");
        var id = await CompletedRunAsync(1, killed: 5, survived: 1, commit, Unreached(7));

        Services.GetRequiredService<NavigationManager>().NavigateTo(MutationFormat.SourceLink(Jwt, 42, id));
        var page = Render<SourcePage>();

        page.WaitForAssertion(() => Assert.Equal(50, page.FindAll("[data-testid=source-lines] .apex-source-line").Count));
        Assert.StartsWith($"At commit {commit[..10]} · 50 lines · 2 mutants the tests let live", System.Text.RegularExpressions.Regex.Replace(page.Find("[data-testid=source-where]").TextContent, @"\s+", " ").Trim());
        Assert.Equal(["42"], page.FindAll(".apex-source-target").Select(l => l.GetAttribute("data-line")));
        Assert.Equal("// line 42", page.Find("#L42 code").TextContent);
        var mutants = page.FindAll("[data-testid=source-mutant]");
        Assert.Equal(["L7", "L42"], mutants.Select(m => m.PreviousElementSibling!.Id));
        Assert.Equal("Survived · Equality mutation: expiry > now", mutants[1].TextContent.Trim());
    }

    [Fact]
    public void SourcePage_SaysWhyAndShowsNothing_WhenAskedForAFileThatIsNotSource()
    {
        _repo.Write("appsettings.json", "{ \"Secret\": \"x\" }");
        _repo.Commit("settings");

        Services.GetRequiredService<NavigationManager>().NavigateTo("source?path=appsettings.json");
        var page = Render<SourcePage>();

        page.WaitForAssertion(() => Assert.StartsWith("\"appsettings.json\" is not a source file of this repository", page.Find("[data-testid=source-error]").TextContent));
        Assert.Empty(page.FindAll("[data-testid=source-lines]"));
        Assert.DoesNotContain("Secret", page.Markup);
    }

    private static ReportedMutant Unreached(int line) => new(Jwt, line, 5, "Statement mutation", ";", "NoCoverage");

    [Fact]
    public async Task VerifiedCard_CountsTheProtectedItemOnlyOnceItsScoreMeetsTheThreshold()
    {
        var card = Render<VerifiedMrrCard>(p => p.Add(c => c.Slug, "authentication-authorization"));
        card.WaitForAssertion(() => Assert.StartsWith("$0 of ", card.Find("[data-testid=verified-mrr-value]").TextContent));
        Assert.Contains("last mutation run never", card.Find("[data-testid=verified-mrr-detail]").TextContent);

        await CompletedRunAsync(1, killed: 7, survived: 3);
        await Services.GetRequiredService<MutationProgress>().ChangedAsync();
        card.WaitForAssertion(() => Assert.Contains("1 mutated", card.Find("[data-testid=verified-mrr-detail]").TextContent));
        Assert.StartsWith("$0 of ", card.Find("[data-testid=verified-mrr-value]").TextContent);

        await CompletedRunAsync(1, killed: 8, survived: 2);
        await Services.GetRequiredService<MutationProgress>().ChangedAsync();
        card.WaitForAssertion(() => Assert.Contains("1 item verified", card.Find("[data-testid=verified-mrr-detail]").TextContent));
        Assert.DoesNotContain("$0 of ", card.Find("[data-testid=verified-mrr-value]").TextContent);
    }
}
