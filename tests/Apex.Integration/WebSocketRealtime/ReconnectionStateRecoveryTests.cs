using System.Net;
using System.Net.WebSockets;
using System.Text.Json;
using Apex.Integration.Infrastructure;
using Apex.Platform.Auth;
using Apex.Platform.Realtime.Delivery;
using Apex.Platform.Realtime.Hub;
using Microsoft.Extensions.DependencyInjection;

namespace Apex.Integration.WebSocketRealtime;

/// <summary>
/// Plan item 18: each hub session numbers what it is sent and keeps the last few messages in a
/// bounded buffer in Redis. A client that lost its connection reconnects naming its session and
/// the last sequence it saw, and gets exactly what it missed, in order; when what it missed has
/// already left the buffer it gets an explicit resync frame, never a silent hole.
/// </summary>
[PlanItem(18)]
[BusinessValue("All tiers", "Seamless reconnection without lost updates",
    "Seamless reconnection worth $7K MRR UX quality", "Mobile and flaky-network users keep a consistent live view")]
public sealed class ReconnectionStateRecoveryTests(ReconnectionStateRecoveryTests.Host host) : IClassFixture<ReconnectionStateRecoveryTests.Host>
{
    public sealed class Host(PostgresServer postgres, RedisServer redis) : RealtimeHost(postgres, redis)
    {
        public const int BufferSize = 5;

        protected override string Owner => "item18";

        protected override Task<Dictionary<string, string?>> SettingsAsync() =>
            Task.FromResult(new Dictionary<string, string?> { ["Platform:Realtime:ReplayBufferSize"] = BufferSize.ToString() });
    }

    private MessageRouter Router => host.A.Services.GetRequiredService<MessageRouter>();

    [Fact]
    public async Task Reconnect_ReplaysExactlyTheMissedMessagesInOrder_WhenResumingFromItsLastSequence()
    {
        var user = RealtimeHost.NewUser();
        var token = host.TokenFor(user);
        var first = await HubClient.ConnectAsync(HubClient.Endpoint(host.A), token);
        await PublishAsync(user, "m1", "m2", "m3");
        var seen = await TakeAsync(first, 3);
        first.Abort();
        await first.DisposeAsync();

        await PublishAsync(user, "m4", "m5");
        await using var second = await HubClient.ConnectAsync(HubClient.Endpoint(host.A, first.SessionId, lastSeq: seen[^1].Seq), token);
        var replayed = await TakeAsync(second, 2);
        await PublishAsync(user, "m6");
        var live = await second.NextAsync(HubFrameTypes.Message);

        Assert.Equal([1L, 2, 3], seen.Select(f => f.Seq!.Value));
        Assert.True(second.Welcome.Data!.Value.GetProperty("resumed").GetBoolean());
        Assert.Equal(first.SessionId, second.SessionId);
        Assert.Equal(["m4", "m5"], replayed.Select(Body));
        Assert.Equal([4L, 5], replayed.Select(f => f.Seq!.Value));
        Assert.Equal((6L, "m6"), (live.Seq!.Value, Body(live)));
    }

    [Fact]
    public async Task Reconnect_GetsAResyncFrameThenTheBuffer_WhenTheGapIsOlderThanTheBuffer()
    {
        var user = RealtimeHost.NewUser();
        var token = host.TokenFor(user);
        var first = await HubClient.ConnectAsync(HubClient.Endpoint(host.A), token);
        await PublishAsync(user, "m1");
        await TakeAsync(first, 1);
        first.Abort();
        await first.DisposeAsync();

        await PublishAsync(user, [.. Enumerable.Range(2, 8).Select(i => $"m{i}")]);
        await using var second = await HubClient.ConnectAsync(HubClient.Endpoint(host.A, first.SessionId, lastSeq: 1), token);
        var resync = await second.NextAsync(HubFrameTypes.Resync);
        var replayed = await TakeAsync(second, Host.BufferSize);

        Assert.Equal(1, resync.Data!.Value.GetProperty("lastSeq").GetInt64());
        Assert.Equal(9 - Host.BufferSize + 1, resync.Data!.Value.GetProperty("oldestAvailable").GetInt64());
        Assert.Equal([5L, 6, 7, 8, 9], replayed.Select(f => f.Seq!.Value));
    }

    [Fact]
    public async Task Reconnect_WithoutASequence_ResumesAfterTheLastAcknowledgedMessage()
    {
        var user = RealtimeHost.NewUser();
        var token = host.TokenFor(user);
        var first = await HubClient.ConnectAsync(HubClient.Endpoint(host.A), token);
        await PublishAsync(user, "m1", "m2", "m3");
        await TakeAsync(first, 3);
        await first.SendAsync(new HubFrame(HubFrameTypes.Ack, Seq: 2));
        await first.SendAsync("echo", new { after = "ack" });
        await first.NextAsync("echo");
        first.Abort();
        await first.DisposeAsync();

        await using var second = await HubClient.ConnectAsync(HubClient.Endpoint(host.A, first.SessionId), token);
        var redelivered = await second.NextAsync(HubFrameTypes.Message);

        Assert.Equal((3L, "m3"), (redelivered.Seq!.Value, Body(redelivered)));
    }

    [Fact]
    public async Task Resume_IsRefusedBeforeTheUpgrade_WhenTheSessionIsAnotherUsers()
    {
        var owner = RealtimeHost.NewUser();
        await using var ownerClient = await HubClient.ConnectAsync(HubClient.Endpoint(host.A), host.TokenFor(owner));
        var intruder = RealtimeHost.NewUser(owner.TenantId);

        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        socket.Options.SetRequestHeader("Authorization", $"Bearer {host.TokenFor(intruder)}");
        await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(HubClient.Endpoint(host.A, ownerClient.SessionId, 0), HubClient.Cancel));

        Assert.Equal(HttpStatusCode.Forbidden, socket.HttpStatusCode);
    }

    private async Task PublishAsync(PlatformUser user, params string[] bodies)
    {
        foreach (var body in bodies)
        {
            await Router.RouteAsync(new RoutedMessage(Guid.NewGuid().ToString("N"), new DeliveryTarget(user.TenantId, user.Id), "note", JsonSerializer.SerializeToElement(body)));
        }
    }

    private static async Task<List<HubFrame>> TakeAsync(HubClient client, int count)
    {
        var frames = new List<HubFrame>();
        for (var i = 0; i < count; i++) frames.Add(await client.NextAsync(HubFrameTypes.Message));
        return frames;
    }

    internal static string Body(HubFrame message) => message.Data!.Value.GetProperty("body").GetString()!;
}
