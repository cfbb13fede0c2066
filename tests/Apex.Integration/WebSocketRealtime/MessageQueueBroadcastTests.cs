using System.Text.Json;
using Apex.Integration.Infrastructure;
using Apex.Platform.Auth;
using Apex.Platform.Realtime.Delivery;
using Apex.Platform.Realtime.Hub;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace Apex.Integration.WebSocketRealtime;

/// <summary>
/// Plan item 17: services put messages on the hub's queue (a Redis Stream read by the consumer
/// group of all hub instances); the instance that takes one routes it to every session of a
/// tenant, of one user or of a topic's subscribers, and whichever instance holds each socket sends
/// it. Two instances share Redis here. A message whose consumer died before acknowledging it is
/// taken over by another instance; a message id seen twice is delivered once.
/// </summary>
[PlanItem(17)]
[BusinessValue("All tiers", "Live updates pushed to the right users",
    "Real-time updates worth $8K MRR user engagement", "Horizontal scale of the real-time tier behind any instance")]
public sealed class MessageQueueBroadcastTests(MessageQueueBroadcastTests.Host host) : IClassFixture<MessageQueueBroadcastTests.Host>
{
    public sealed class Host(PostgresServer postgres, RedisServer redis) : RealtimeHost(postgres, redis)
    {
        public static readonly TimeSpan Sweep = TimeSpan.FromSeconds(1);

        public ConnectionMultiplexer Connection { get; private set; } = null!;

        protected override string Owner => "item17";

        protected override int Instances => 2;

        protected override Task<Dictionary<string, string?>> SettingsAsync() => Task.FromResult(new Dictionary<string, string?>
        {
            ["Platform:Realtime:SweepInterval"] = Sweep.ToString(),
            ["Platform:Realtime:Queue:ClaimAfter"] = "00:00:00.100",
        });

        public override async ValueTask InitializeAsync()
        {
            await base.InitializeAsync();
            Connection = await Redis.ConnectAsync();
            Own(Connection);
        }
    }

    private RealtimeQueue QueueOn(PlatformInstance instance) => instance.Services.GetRequiredService<RealtimeQueue>();

    [Fact]
    public async Task TenantBroadcast_ReachesEverySocketOfTheTenantOnBothInstances_AndNoOtherTenant()
    {
        var (ada, bob, eve) = (RealtimeHost.NewUser(), RealtimeHost.NewUser(), RealtimeHost.NewUser());
        bob = bob with { TenantId = ada.TenantId };
        await using var adaOnA = await HubClient.ConnectAsync(HubClient.Endpoint(host.A), host.TokenFor(ada));
        await using var bobOnB = await HubClient.ConnectAsync(HubClient.Endpoint(host.B), host.TokenFor(bob));
        await using var eveOnB = await HubClient.ConnectAsync(HubClient.Endpoint(host.B), host.TokenFor(eve));

        await QueueOn(host.A).EnqueueAsync(Message(new DeliveryTarget(ada.TenantId), "release 2.4 is out"));
        await QueueOn(host.A).EnqueueAsync(Message(new DeliveryTarget(eve.TenantId, eve.Id), "only for eve"));

        Assert.Equal("release 2.4 is out", Body(await adaOnA.NextAsync(HubFrameTypes.Message)));
        Assert.Equal("release 2.4 is out", Body(await bobOnB.NextAsync(HubFrameTypes.Message)));
        Assert.Equal("only for eve", Body(await eveOnB.NextAsync(HubFrameTypes.Message)));
        Assert.Equal(1, await RoutedToAsync(eveOnB));
        Assert.NotEqual(adaOnA.Instance, bobOnB.Instance);
    }

    [Fact]
    public async Task UserTargetedMessage_ReachesEachSocketOfThatUserOnEitherInstance_AndNotTheirColleague()
    {
        var ada = RealtimeHost.NewUser();
        var colleague = RealtimeHost.NewUser(ada.TenantId);
        await using var adaOnA = await HubClient.ConnectAsync(HubClient.Endpoint(host.A), host.TokenFor(ada));
        await using var adaOnB = await HubClient.ConnectAsync(HubClient.Endpoint(host.B), host.TokenFor(ada));
        await using var colleagueOnA = await HubClient.ConnectAsync(HubClient.Endpoint(host.A), host.TokenFor(colleague));

        await QueueOn(host.B).EnqueueAsync(Message(new DeliveryTarget(ada.TenantId, ada.Id), "your export is ready"));
        Assert.Equal("your export is ready", Body(await adaOnA.NextAsync(HubFrameTypes.Message)));
        Assert.Equal("your export is ready", Body(await adaOnB.NextAsync(HubFrameTypes.Message)));
        // Enqueued only now: the two instances consume the queue concurrently, so two messages
        // enqueued back to back may reach Ada (who is in the tenant too) in either order.
        await QueueOn(host.B).EnqueueAsync(Message(new DeliveryTarget(ada.TenantId), "tenant notice"));

        Assert.Equal("tenant notice", Body(await colleagueOnA.NextAsync(HubFrameTypes.Message)));
        Assert.Equal(1, await RoutedToAsync(colleagueOnA));
    }

    [Fact]
    public async Task TopicMessage_ReachesOnlyTheTopicsSubscribers()
    {
        var ada = RealtimeHost.NewUser();
        var bob = RealtimeHost.NewUser(ada.TenantId);
        await using var adaClient = await HubClient.ConnectAsync(HubClient.Endpoint(host.A), host.TokenFor(ada));
        await using var bobClient = await HubClient.ConnectAsync(HubClient.Endpoint(host.B), host.TokenFor(bob));
        await adaClient.SendAsync("subscribe", new { topic = "deploys" }, id: "s1");
        await adaClient.NextAsync("subscribed");

        await QueueOn(host.A).EnqueueAsync(Message(new DeliveryTarget(ada.TenantId, Topic: "deploys"), "deploy 981 finished"));
        Assert.Equal("deploy 981 finished", Body(await adaClient.NextAsync(HubFrameTypes.Message)));
        // After the topic message arrived: queue consumers on two instances do not keep the order
        // of messages enqueued back to back, and Ada gets the tenant notice too.
        await QueueOn(host.A).EnqueueAsync(Message(new DeliveryTarget(ada.TenantId), "tenant notice"));

        Assert.Equal("tenant notice", Body(await bobClient.NextAsync(HubFrameTypes.Message)));
        Assert.Equal(1, await RoutedToAsync(bobClient));
    }

    [Fact]
    public async Task DurableMessage_IsRoutedByAnotherInstance_WhenTheConsumerThatTookItDiedWithoutAcknowledging()
    {
        var ada = RealtimeHost.NewUser();
        await using var client = await HubClient.ConnectAsync(HubClient.Endpoint(host.B), host.TokenFor(ada));
        var stream = (RedisKey)(host.RedisPrefix + "rt:queue");
        var db = host.Connection.GetDatabase();
        var message = Message(new DeliveryTarget(ada.TenantId, ada.Id), "survives its consumer");
        // Added without waking the hub instances, then read by a consumer that dies: it never acknowledges.
        await db.StreamAddAsync(stream, "message", JsonSerializer.Serialize(message, HubFrame.Json));
        var taken = await db.StreamReadGroupAsync(stream, RealtimeQueue.Group, "consumer-that-dies", StreamPosition.NewMessages, count: 10);
        Assert.Single(taken);

        await Eventually.TrueAsync(() =>
        {
            host.Clock.Advance(Host.Sweep);
            return Task.FromResult(client.SeenSeqs.Count > 0);
        });

        Assert.Equal("survives its consumer", Body(await client.NextAsync(HubFrameTypes.Message)));
        await Eventually.TrueAsync(async () => (await db.StreamPendingAsync(stream, RealtimeQueue.Group)).PendingMessageCount == 0);
    }

    [Fact]
    public async Task MessageEnqueuedTwiceWithOneId_IsDeliveredOnce()
    {
        var ada = RealtimeHost.NewUser();
        await using var client = await HubClient.ConnectAsync(HubClient.Endpoint(host.A), host.TokenFor(ada));
        var once = Message(new DeliveryTarget(ada.TenantId, ada.Id), "invoice paid");

        await QueueOn(host.A).EnqueueAsync(once);
        await QueueOn(host.B).EnqueueAsync(once);
        var delivered = await client.NextAsync(HubFrameTypes.Message);
        var routedMessages = await RoutedToAsync(client);
        await QueueOn(host.B).EnqueueAsync(Message(new DeliveryTarget(ada.TenantId, ada.Id), "next"));
        var next = await client.NextAsync(HubFrameTypes.Message);

        Assert.Equal(("invoice paid", once.Id, 1L), (Body(delivered), delivered.Id, delivered.Seq));
        Assert.Equal(1, routedMessages);
        Assert.Equal(("next", 2L), (Body(next), next.Seq));
    }

    /// <summary>How many messages were routed to the client's session, once every queued entry is routed and acknowledged.</summary>
    private async Task<long> RoutedToAsync(HubClient client)
    {
        var stream = (RedisKey)(host.RedisPrefix + "rt:queue");
        var db = host.Connection.GetDatabase();
        await Eventually.TrueAsync(async () =>
        {
            var info = await db.StreamInfoAsync(stream);
            var group = (await db.StreamGroupInfoAsync(stream)).Single(g => g.Name == RealtimeQueue.Group);
            return group.PendingMessageCount == 0 && group.LastDeliveredId == info.LastGeneratedId;
        });
        return (await host.A.Services.GetRequiredService<HubSessions>().RangeAsync(client.SessionId)).Newest;
    }

    private static RoutedMessage Message(DeliveryTarget target, string body) =>
        new(Guid.NewGuid().ToString("N"), target, "notice", JsonSerializer.SerializeToElement(body));

    private static string Body(HubFrame frame) => ReconnectionStateRecoveryTests.Body(frame);
}
