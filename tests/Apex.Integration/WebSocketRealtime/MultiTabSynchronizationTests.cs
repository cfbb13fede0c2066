using Apex.Integration.Infrastructure;
using Apex.Platform.Auth;
using Apex.Platform.Realtime.Hub;
using StackExchange.Redis;

namespace Apex.Integration.WebSocketRealtime;

/// <summary>
/// Plan item 19: one user, several tabs (sockets), here spread over two instances. A state change
/// published by one tab reaches every tab exactly once, a retried publish with the same message id
/// included. One tab leads, elected through a lease in Redis; when the leader closes, or stops
/// renewing, another tab is elected within the lease time and every tab is told.
/// </summary>
[PlanItem(19)]
[BusinessValue("Power users", "Consistent state across browser tabs",
    "Multi-tab support worth $6K MRR power user features", "One tab does the background work for all of them")]
public sealed class MultiTabSynchronizationTests(MultiTabSynchronizationTests.Host host) : IClassFixture<MultiTabSynchronizationTests.Host>
{
    public sealed class Host(PostgresServer postgres, RedisServer redis) : RealtimeHost(postgres, redis)
    {
        public static readonly TimeSpan Lease = TimeSpan.FromSeconds(8);

        public ConnectionMultiplexer Connection { get; private set; } = null!;

        protected override string Owner => "item19";

        protected override int Instances => 2;

        protected override Task<Dictionary<string, string?>> SettingsAsync() =>
            Task.FromResult(new Dictionary<string, string?> { ["Platform:Realtime:Leader:Lease"] = Lease.ToString() });

        public override async ValueTask InitializeAsync()
        {
            await base.InitializeAsync();
            Connection = Own(await Redis.ConnectAsync());
        }
    }

    [Fact]
    public async Task StateChange_ReachesEveryTabExactlyOnce_EvenWhenTheTabRetriesThePublish()
    {
        var user = RealtimeHost.NewUser();
        await using var tab1 = await HubClient.ConnectAsync(HubClient.Endpoint(host.A), host.TokenFor(user));
        await using var tab2 = await HubClient.ConnectAsync(HubClient.Endpoint(host.A), host.TokenFor(user));
        await using var tab3 = await HubClient.ConnectAsync(HubClient.Endpoint(host.B), host.TokenFor(user));
        var change = new { type = "settings", target = "user", body = new { theme = "dark" } };

        await tab1.SendAsync("publish", change, id: "theme-1");
        var first = await tab1.NextAsync("published");
        await tab1.SendAsync("publish", change, id: "theme-1");
        var retry = await tab1.NextAsync("published");
        await tab2.SendAsync("publish", new { type = "settings", target = "user", body = new { theme = "light" } }, id: "theme-2");
        await tab2.NextAsync("published");

        foreach (var tab in new[] { tab1, tab2, tab3 })
        {
            var seen = new[] { await tab.NextAsync(HubFrameTypes.Message), await tab.NextAsync(HubFrameTypes.Message) };
            Assert.Equal([$"{user.Id:N}:theme-1", $"{user.Id:N}:theme-2"], seen.Select(m => m.Id));
            Assert.Equal([1L, 2], seen.Select(m => m.Seq!.Value));
        }

        Assert.Equal((3, false), (first.Data!.Value.GetProperty("sessions").GetInt32(), first.Data!.Value.GetProperty("duplicate").GetBoolean()));
        Assert.True(retry.Data!.Value.GetProperty("duplicate").GetBoolean());
    }

    [Fact]
    public async Task FirstTabLeads_LaterTabsAreToldWho_AndClosingTheLeaderElectsAnotherWithinTheLease()
    {
        var user = RealtimeHost.NewUser();
        var tab1 = await LeaderAsync(host.A, user);
        await using var tab2 = await HubClient.ConnectAsync(HubClient.Endpoint(host.B), host.TokenFor(user));
        await using var tab3 = await HubClient.ConnectAsync(HubClient.Endpoint(host.A), host.TokenFor(user));
        var told2 = await tab2.NextAsync("leader");
        var told3 = await tab3.NextAsync("leader");

        await tab1.CloseAsync();
        await tab1.ClosedWithinAsync();
        await tab1.DisposeAsync();
        await Eventually.TrueAsync(async () => (await HolderAsync(user.Id)).IsNull);
        host.Clock.Advance(Host.Lease / 4);
        var newLeader2 = await tab2.NextAsync("leader");
        var newLeader3 = await tab3.NextAsync("leader");

        Assert.Equal(tab1.ConnectionId, Leader(told2));
        Assert.Equal(tab1.ConnectionId, Leader(told3));
        Assert.Equal(Leader(newLeader2), Leader(newLeader3));
        Assert.Contains(Leader(newLeader2), new[] { tab2.ConnectionId, tab3.ConnectionId });
        Assert.Equal(Leader(newLeader2), (string?)await HolderAsync(user.Id));
    }

    [Fact]
    public async Task LeaderKeepsTheLeaseWhileRenewing_AndAnotherTabTakesItWithinTheLeaseAfterItStops()
    {
        var user = RealtimeHost.NewUser();
        await using var leader = await LeaderAsync(host.A, user);
        await using var follower = await HubClient.ConnectAsync(HubClient.Endpoint(host.B), host.TokenFor(user));
        var told = await follower.NextAsync("leader");

        // 1.5 leases in all: without the renewals the follower's checks would have taken the lease.
        for (var i = 0; i < 3; i++)
        {
            host.Clock.Advance(Host.Lease / 2);
            await leader.SendAsync("leader.renew", new { }, id: $"renew-{i}");
            await leader.NextAsync("leader.renewed");
        }

        var holderWhileRenewing = (string?)await HolderAsync(user.Id);
        host.Clock.Advance(Host.Lease + Host.Lease / 4);
        var takeover = await follower.NextAsync("leader");
        var toldLeader = await leader.NextAsync("leader");
        await leader.SendAsync("leader.renew", new { }, id: "late");
        var refused = await leader.NextAsync(HubFrameTypes.Error);

        Assert.Equal(leader.ConnectionId, Leader(told));
        Assert.Equal(leader.ConnectionId, holderWhileRenewing);
        Assert.Equal(follower.ConnectionId, Leader(takeover));
        Assert.Equal(follower.ConnectionId, Leader(toldLeader));
        Assert.Equal(follower.ConnectionId, (string?)await HolderAsync(user.Id));
        Assert.Equal(("late", "not-leader"), (refused.Id, refused.Data!.Value.GetProperty("code").GetString()));
    }

    // The first tab of a user, once its election is announced: the hub welcomes a tab before it
    // claims the lease, so a tab opened in between would hear that announcement besides its own.
    private async Task<HubClient> LeaderAsync(PlatformInstance instance, PlatformUser user)
    {
        var tab = await HubClient.ConnectAsync(HubClient.Endpoint(instance), host.TokenFor(user));
        Assert.Equal(tab.ConnectionId, Leader(await tab.NextAsync("leader")));
        return tab;
    }

    private Task<RedisValue> HolderAsync(Guid userId) => host.Connection.GetDatabase().HashGetAsync(host.RedisPrefix + $"rt:leader:{userId}", "holder");

    private static string Leader(HubFrame frame) => frame.Data!.Value.GetProperty("leader").GetString()!;
}
