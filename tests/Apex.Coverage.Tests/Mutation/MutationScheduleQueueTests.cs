using Apex.Coverage.Tests.Fixtures;
using Apex.Coverage.Web.Access;
using Apex.Coverage.Web.CodeCoverage;
using Apex.Coverage.Web.Mutation;
using Apex.Coverage.Web.Runs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using static Apex.Coverage.Tests.Analytics.History;

namespace Apex.Coverage.Tests.Mutation;

/// <summary>
/// Which item the nightly mutation job queues: the one whose last run ended longest ago, never-tried first.
/// A run that ended over its budget counts as tried, so a large item cannot take every night.
/// </summary>
public sealed class MutationScheduleQueueTests : DashboardComponentTest
{
    private const string First = "Apex.Integration.Auth.OAuthFlowTests.CodeExchange_IssuesJwt";
    private const string Second = "Apex.Integration.Auth.SessionTests.Refresh_KeepsTheSession";

    protected override void AddServices()
    {
        Services.AddLiveDashboard(Database, Catalog).AddMutationPages();
        Services.AddSingleton(Options.Create(new RunsOptions { DefaultSuite = "l2" }));
        Services.AddSingleton(Options.Create(new CodeCoverageOptions { Categories = { ["authentication-authorization"] = ["Auth"] } }));
        this.SignInAs(DashboardRoles.Runner, Database);
    }

    protected override async Task StartAsync()
    {
        await DiscoverAsync(Database, First, "1");
        await DiscoverAsync(Database, Second, "2");
        await RunAsync(Database, "c1", (First, P), (Second, P));
    }

    private async Task<int> QueuedItemAsync()
    {
        var store = Services.GetRequiredService<MutationStore>();
        var before = (await store.ListAsync(100, Ct)).Select(r => r.Id).ToHashSet();
        await ActivatorUtilities.CreateInstance<MutationScheduleJob>(Services).QueueAsync(Ct);
        return Assert.Single(await store.ListAsync(100, Ct), r => !before.Contains(r.Id) && r.Status == MutationRunStatus.Queued).PlanItem;
    }

    private async Task EndAsync(int item, string status)
    {
        var store = Services.GetRequiredService<MutationStore>();
        var run = await store.QueueAsync("l2", item, "schedule", Ct);
        await store.MoveAsync(run.Id, MutationRunStatus.Queued, MutationRunStatus.Running, Ct);
        await store.MoveAsync(run.Id, MutationRunStatus.Running, status, Ct);
    }

    [Fact]
    public async Task QueueAsync_TakesTheLowestNeverTriedItem_WhenNoneWasMutated()
    {
        Assert.Equal(1, await QueuedItemAsync());
    }

    [Fact]
    public async Task QueueAsync_MovesOnToTheNextItem_WhenTheFirstRanOverItsBudget()
    {
        await EndAsync(1, MutationRunStatus.OverBudget);

        Assert.Equal(2, await QueuedItemAsync());
    }

    [Fact]
    public async Task QueueAsync_TakesTheItemTriedLongestAgo_WhenEveryItemWasTried()
    {
        await EndAsync(2, MutationRunStatus.Completed);
        await EndAsync(1, MutationRunStatus.Failed);

        Assert.Equal(2, await QueuedItemAsync());
    }
}
