using Apex.Coverage.Web.Access;
using Apex.Coverage.Tests.Fixtures;
using Apex.Coverage.Web.Data;
using Apex.Coverage.Web.Results;
using Apex.Coverage.Web.Runs;
using Apex.Integration.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Apex.Coverage.Tests.Runs;

/// <summary>
/// Two real dashboard hosts sharing one PostgreSQL store and one Hangfire queue: runs go to
/// whichever node takes the job, updates and cancels cross nodes (LISTEN/NOTIFY), and a restart
/// or the death of a node ends only that node's runs.
/// </summary>
[Collection(RunnerCollection.Name)]
public sealed class TwoNodesTests(RunnerHost host, PostgresServer postgres)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Run_IsFollowedLiveOnTheOtherNode_AndCanceledFromIt_WhenTwoNodesShareOneStore()
    {
        var store = await postgres.CreateDatabaseAsync("twonodes");
        await using var a = Node(store, "node-a");
        await using var b = Node(store, "node-b");
        _ = a.Server;
        _ = b.Server;
        var seen = new Dictionary<string, List<RunUpdate>> { ["node-a"] = [], ["node-b"] = [] };
        using var watchA = Watch(a, seen["node-a"]);
        using var watchB = Watch(b, seen["node-b"]);

        var passing = await a.StartAsync(RunnerHostFactory.Suite, new RunSelection(PlanItems: [1]));
        var ended = await b.WaitForEndAsync(passing);

        Assert.Equal(RunStatus.Passed, ended.Status);
        var results = await b.ResultsAsync(passing);
        Assert.NotEmpty(results);
        Assert.Equal(ended.Total, results.Count);
        // The run page served by node B lists them (the page subscribes to the notifier checked below).
        using (var browserOfB = await b.CreateSignedInClientAsync(DashboardRoles.Viewer))
        {
            var page = await browserOfB.GetStringAsync($"/runs/{passing}", Ct);
            Assert.All(results, r => Assert.Contains(System.Net.WebUtility.HtmlEncode(r.DisplayName), page, StringComparison.Ordinal));
        }

        // The node that did not execute it heard of its results and its end only through the relay.
        var elsewhere = seen[ended.Node == "node-a" ? "node-b" : "node-a"];
        lock (elsewhere)
        {
            Assert.Contains(elsewhere, u => u.RunId == passing && u is { Kind: RunUpdateKind.Result, FromAnotherNode: true });
            Assert.Contains(elsewhere, u => u.RunId == passing && u is { Kind: RunUpdateKind.Ended, FromAnotherNode: true });
        }

        var hung = await a.StartAsync(RunnerHostFactory.Hanging, new RunSelection(PlanItems: [4]));
        var running = await a.WaitForAsync(hung, r => r.Status == RunStatus.Running, TimeSpan.FromSeconds(90));
        var (executing, other) = running.Node == "node-a" ? (a, b) : (b, a);
        await Eventually.ThatAsync(() => Task.FromResult(executing.Services.GetRequiredService<ActiveRuns>().Find(hung)?.Progress.RunningTests.Count ?? 0),
            n => n > 0, "the hanging test to start");

        Assert.Null(other.Services.GetRequiredService<ActiveRuns>().Find(hung));
        Assert.Equal(CancelOutcome.Stopping, await other.Requests.CancelAsync(hung, Ct));
        var canceled = await other.WaitForEndAsync(hung, seconds: 60);
        Assert.Equal(RunStatus.Canceled, canceled.Status);
        Assert.Equal(running.Node, canceled.Node);
    }

    [Fact]
    public async Task RunPage_ShowsResultsLiveOnTheNodeThatDidNotExecuteTheRun_WhenTwoNodesShareOneStore()
    {
        var store = await postgres.CreateDatabaseAsync("twonodespage");
        await using var a = Node(store, "node-a");
        await using var b = Node(store, "node-b");
        _ = a.Server;
        _ = b.Server;

        // Both pages are open before the run has a result: whatever they show later reached them live.
        var id = await a.StartAsync(RunnerHostFactory.Suite, new RunSelection(PlanItems: [1, 3]));
        await using var onA = new NodePage(a, id);
        await using var onB = new NodePage(b, id);
        var ended = await b.WaitForEndAsync(id);
        var results = await b.ResultsAsync(id);
        var elsewhere = ended.Node == "node-a" ? onB : onA;

        Assert.Contains(elsewhere.FirstStatus, new[] { "queued", "building", "running" });
        elsewhere.WaitUntil(() => Assert.Equal(results.Count, elsewhere.Rows));
        elsewhere.WaitUntil(() => Assert.Equal("passed", elsewhere.Status));
    }

    [Fact]
    public async Task Restart_InterruptsOnlyItsOwnRuns_AndTheSurvivorEndsADeadNodesRuns()
    {
        var store = await postgres.CreateDatabaseAsync("restart");
        var a = Node(store, "node-a");
        await using var b = Node(store, "node-b");
        _ = a.Server;
        _ = b.Server;
        var (ofA, ofB, ofDead) = await SeedRunningAsync(b, "node-a", "node-b", "node-gone");

        // The survivor (either node) ends the run of the node whose heartbeat stopped long ago.
        var dead = await b.WaitForEndAsync(ofDead, seconds: 60);
        Assert.Equal(RunStatus.Interrupted, dead.Status);
        Assert.Contains("node-gone", dead.Message, StringComparison.Ordinal);

        // Node A restarts (same name, new process): it interrupts its own run, not B's.
        await a.DisposeAsync();
        await using var restarted = Node(store, "node-a");
        _ = restarted.Server;
        var own = await restarted.WaitForEndAsync(ofA, seconds: 60);
        await using var db = restarted.Database();
        var stillRunning = await db.TestRuns.AsNoTracking().SingleAsync(r => r.Id == ofB, Ct);
        var nodes = await db.DashboardNodes.AsNoTracking().OrderBy(n => n.Name).Select(n => n.Name).ToListAsync(Ct);

        Assert.Equal(RunStatus.Interrupted, own.Status);
        Assert.Equal(RunStatus.Running, stillRunning.Status);
        Assert.Null(stillRunning.FinishedAt);
        Assert.Equal(["node-a", "node-b", "node-gone"], nodes);
    }

    private static IDisposable Watch(RunnerHostFactory node, List<RunUpdate> seen) =>
        node.Services.GetRequiredService<RunNotifier>().Subscribe(null, u =>
        {
            lock (seen)
            {
                seen.Add(u);
            }
        });

    private RunnerHostFactory Node(string store, string name) => new(host.Build.Assembly, configure: builder => Shared(builder, store, name));

    /// <summary>A node of a PostgreSQL scale-out: store and Hangfire queue shared, its own name, quick heartbeats.</summary>
    internal static void Shared(IWebHostBuilder builder, string store, string name)
    {
        builder.UseSetting("Data:Provider", "PostgreSql");
        builder.UseSetting("Data:ConnectionString", store);
        builder.UseSetting("Hangfire:Storage", "PostgreSql");
        builder.UseSetting("Hangfire:ConnectionString", store);
        builder.UseSetting("Nodes:Name", name);
        builder.UseSetting("Nodes:HeartbeatInterval", "00:00:00.500");
        builder.UseSetting("Nodes:DeadAfter", "00:00:30");
    }

    // Runs as a node leaves them while it executes them: claimed, running, not finished. The
    // running runs of A and B are rows only (no process behind them), so nothing else ends them.
    private static async Task<(long OfA, long OfB, long OfDead)> SeedRunningAsync(RunnerHostFactory node, string a, string b, string gone)
    {
        await using var db = node.Database();
        var now = DateTimeOffset.UtcNow;
        db.DashboardNodes.Add(new DashboardNode { Name = gone, StartedAt = now.AddHours(-1), HeartbeatAt = now.AddMinutes(-10) });
        TestRun Running(string owner) => new() { SuiteName = RunnerHostFactory.Suite, Status = RunStatus.Running, CreatedAt = now, StartedAt = now, Node = owner };
        var (ofA, ofB, ofDead) = (Running(a), Running(b), Running(gone));
        db.TestRuns.AddRange(ofA, ofB, ofDead);
        await db.SaveChangesAsync(Ct);
        return (ofA.Id, ofB.Id, ofDead.Id);
    }
}
