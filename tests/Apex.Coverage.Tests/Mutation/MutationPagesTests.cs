using Apex.Coverage.Web.Access;
using Apex.Coverage.Tests.Fixtures;
using Apex.Coverage.Web.Components.Mutation;
using Apex.Coverage.Web.Data;
using Apex.Coverage.Web.Mutation;
using Apex.Coverage.Web.Plan;
using Apex.Coverage.Web.Runs;
using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using static Apex.Coverage.Tests.Analytics.History;

namespace Apex.Coverage.Tests.Mutation;

public sealed class MutationPagesTests : DashboardComponentTest
{
    private const string AuthTest = "Apex.Integration.Auth.OAuthFlowTests.CodeExchange_IssuesJwt";

    protected override void AddServices()
    {
        Services.AddLiveDashboard(Database, Catalog).AddMutationPages();
        Services.AddSingleton(Options.Create(new RunsOptions { DefaultSuite = "l2" }));
        this.SignInAs(DashboardRoles.Runner, Database);
    }

    protected override async Task StartAsync()
    {
        await DiscoverAsync(Database, AuthTest, "1");
        await RunAsync(Database, "c1", (AuthTest, P));
    }

    private async Task<long> CompletedRunAsync(int item, int killed, int survived)
    {
        var store = Services.GetRequiredService<MutationStore>();
        var run = await store.QueueAsync("l2", item, "api", CancellationToken.None);
        var report = new MutationReport([new ReportedFile("src/Apex.Platform/Auth/Jwt.cs", new MutationCounts(killed, survived, 0, 0))],
            [new ReportedMutant("src/Apex.Platform/Auth/Jwt.cs", 42, 9, "Equality mutation", "expiry > now", "Survived")]);
        await store.MoveAsync(run.Id, MutationRunStatus.Queued, MutationRunStatus.Running, CancellationToken.None);
        await store.UpdateAsync(run.Id, r => MutationMerge.Apply(r, MutationMerge.Merge(report, null)), CancellationToken.None);
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
        Assert.Equal(["src/Apex.Platform/Auth/Jwt.cs:42", "survived", "Equality mutation", "expiry > now"], cells);
    }

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
