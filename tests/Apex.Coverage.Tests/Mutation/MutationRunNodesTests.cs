using Apex.Coverage.Tests.Runs;
using Apex.Coverage.Web.Mutation;
using Apex.Coverage.Web.Runs;
using Apex.Integration.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Apex.Coverage.Tests.Mutation;

/// <summary>
/// Two real dashboard hosts on one real PostgreSQL store (docs/adr/0285): a mutation run carries the
/// node that claimed it, so a node's start-up ends only the running runs that can no longer finish,
/// and the claim keeps one running run per suite across nodes. No Stryker is needed: the workers are
/// left out and each node's own <see cref="MutationStore"/> is driven as its worker drives it.
/// </summary>
[Collection(RunnerCollection.Name)]
public sealed class MutationRunNodesTests(RunnerHost host, PostgresServer postgres)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task EndInterrupted_LeavesTheLiveOtherNodesRunRunning_AndEndsOwnUnclaimedAndDeadNodesRuns_WhenNodeBStarts()
    {
        var store = await postgres.CreateDatabaseAsync("mutationrunnodes");
        await using var a = Node(store, "node-a");
        _ = a.Server;
        var (ofA, ofB, unclaimed, ofDead) = await SeedRunningAsync(a);
        await using var b = Node(store, "node-b");
        _ = b.Server;

        var ended = await b.Services.GetRequiredService<MutationStore>().EndInterruptedAsync(Ct);

        Assert.Equal(3, ended);
        Assert.Equal(MutationRunStatus.Running, await StatusAsync(b, ofA));
        Assert.Equal(
            (MutationRunStatus.Failed, MutationRunStatus.Failed, MutationRunStatus.Failed),
            (await StatusAsync(b, ofB), await StatusAsync(b, unclaimed), await StatusAsync(b, ofDead)));
    }

    [Fact]
    public async Task Claim_LetsOneRunOfASuiteRunAcrossBothNodes_WhenEachNodeClaimsAQueuedRunOfIt()
    {
        var store = await postgres.CreateDatabaseAsync("mutationclaims");
        await using var a = Node(store, "node-a");
        await using var b = Node(store, "node-b");
        var (storeA, storeB) = (a.Services.GetRequiredService<MutationStore>(), b.Services.GetRequiredService<MutationStore>());
        for (var round = 0; round < 15; round++)
        {
            var suite = $"L2-{round}";
            var (first, second) = (await storeA.QueueAsync(suite, 1, "manual", Ct), await storeB.QueueAsync(suite, 2, "manual", Ct));
            var claims = await Task.WhenAll(Claim(storeA, first.Id), Claim(storeB, second.Id));

            Assert.Single(claims, c => c);
            await using var db = a.Database();
            var running = await db.MutationRuns.Where(r => r.Suite == suite && r.Status == MutationRunStatus.Running).ToListAsync(Ct);
            Assert.Equal(claims[0] ? (first.Id, "node-a") : (second.Id, "node-b"), (Assert.Single(running).Id, running[0].Node));
        }

        // Once the running run ends, the other queued run of the suite can be claimed, by either node.
        var (left, waiting) = (await storeA.QueueAsync("L2-next", 1, "manual", Ct), await storeA.QueueAsync("L2-next", 2, "manual", Ct));
        Assert.True(await Claim(storeA, left.Id));
        Assert.False(await Claim(storeB, waiting.Id));
        Assert.True(await storeA.MoveAsync(left.Id, MutationRunStatus.Running, MutationRunStatus.Completed, Ct));
        Assert.True(await Claim(storeB, waiting.Id));
        Assert.Equal("node-b", (await storeB.FindAsync(waiting.Id, Ct))!.Node);
    }

    private static Task<bool> Claim(MutationStore store, long id) => store.MoveAsync(id, MutationRunStatus.Queued, MutationRunStatus.Running, Ct);

    private static async Task<string?> StatusAsync(RunnerHostFactory node, long id) =>
        await node.Services.GetRequiredService<MutationStore>().StatusAsync(id, Ct);

    /// <summary>A PostgreSQL node (TwoNodesTests.Shared) without the mutation worker, whose runs the test drives.</summary>
    private RunnerHostFactory Node(string store, string name) => new(host.Build.Assembly, configure: builder =>
    {
        TwoNodesTests.Shared(builder, store, name);
        builder.ConfigureTestServices(services =>
        {
            var worker = services.Single(s => s.ServiceType == typeof(IHostedService) && s.ImplementationType == typeof(MutationWorker));
            services.Remove(worker);
        });
    });

    // Running runs as nodes leave them, one per suite (one running run per suite): node A's (alive,
    // its heartbeat is fresh), node B's own from before its restart, one from before nodes were
    // recorded, and one of a node whose heartbeat stopped ten minutes ago.
    private static async Task<(long OfA, long OfB, long Unclaimed, long OfDead)> SeedRunningAsync(RunnerHostFactory node)
    {
        await using var db = node.Database();
        var now = DateTimeOffset.UtcNow;
        db.DashboardNodes.Add(new DashboardNode { Name = "node-gone", StartedAt = now.AddHours(-1), HeartbeatAt = now.AddMinutes(-10) });
        MutationRun Running(string suite, string? owner) =>
            new() { Suite = suite, PlanItem = 1, Source = "manual", Status = MutationRunStatus.Running, RequestedAt = now, StartedAt = now, Node = owner };
        var runs = (Running("L2-a", "node-a"), Running("L2-b", "node-b"), Running("L2-none", null), Running("L2-gone", "node-gone"));
        db.MutationRuns.AddRange(runs.Item1, runs.Item2, runs.Item3, runs.Item4);
        await db.SaveChangesAsync(Ct);
        return (runs.Item1.Id, runs.Item2.Id, runs.Item3.Id, runs.Item4.Id);
    }
}
