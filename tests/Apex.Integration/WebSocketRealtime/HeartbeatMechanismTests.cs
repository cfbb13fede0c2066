using System.Net.WebSockets;
using System.Text.Json;
using Apex.Integration.Infrastructure;
using Apex.Platform.Realtime.Client;
using Apex.Platform.Realtime.Delivery;
using Apex.Platform.Realtime.Hub;
using Microsoft.Extensions.DependencyInjection;

namespace Apex.Integration.WebSocketRealtime;

/// <summary>
/// Plan item 28: the hub pings each connection at an interval on the platform clock; a pong
/// measures the round trip and the next interval follows it (ten round trips, within the
/// configured bounds); a ping unanswered past the timeout closes the connection with 4408, and
/// the platform's own client reconnects by itself and resumes its session.
/// </summary>
[PlanItem(28)]
[BusinessValue("All tiers", "Dead connections detected and replaced quickly",
    "Connection liveness worth $6K MRR reliability", "Half-open connections never hold users' updates hostage")]
public sealed class HeartbeatMechanismTests(HeartbeatMechanismTests.Host host) : IClassFixture<HeartbeatMechanismTests.Host>
{
    public sealed class Host(PostgresServer postgres, RedisServer redis) : RealtimeHost(postgres, redis)
    {
        public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);
        public static readonly TimeSpan PongTimeout = TimeSpan.FromSeconds(15);

        protected override string Owner => "item28";

        protected override Task<Dictionary<string, string?>> SettingsAsync() => Task.FromResult(new Dictionary<string, string?>
        {
            ["Platform:Realtime:Heartbeat:Interval"] = Interval.ToString(),
            ["Platform:Realtime:Heartbeat:MinInterval"] = "00:00:02",
            ["Platform:Realtime:Heartbeat:MaxInterval"] = "00:00:30",
            ["Platform:Realtime:Heartbeat:StallAfter"] = "00:00:05",
            ["Platform:Realtime:Heartbeat:PongTimeout"] = PongTimeout.ToString(),
        });
    }

    [Fact]
    public async Task Ping_IsSentAtTheConfiguredInterval_AndNotBefore()
    {
        await using var client = await HubClient.ConnectAsync(HubClient.Endpoint(host.A), host.TokenFor(RealtimeHost.NewUser()));
        client.AnswerPings = false;

        host.Clock.Advance(Host.Interval - TimeSpan.FromSeconds(1));
        await EchoAsync(client);
        var pingsBefore = client.Received.Count(t => t == HubFrameTypes.Ping);
        host.Clock.Advance(TimeSpan.FromSeconds(1));
        var ping = await client.NextAsync(HubFrameTypes.Ping);

        Assert.Equal(0, pingsBefore);
        Assert.Equal((long)Host.Interval.TotalMilliseconds, ping.Data!.Value.GetProperty("intervalMs").GetInt64());
    }

    [Fact]
    public async Task Interval_FollowsTheMeasuredRoundTrip_WithinItsBounds()
    {
        await using var client = await HubClient.ConnectAsync(HubClient.Endpoint(host.A), host.TokenFor(RealtimeHost.NewUser()));
        client.AnswerPings = false;

        var slow = await PingAnsweredAfterAsync(client, Host.Interval, TimeSpan.FromSeconds(2));
        var afterSlow = await PingAnsweredAfterAsync(client, TimeSpan.FromSeconds(20), TimeSpan.Zero);
        var afterFast = await PingAnsweredAfterAsync(client, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4));
        var capped = await NextPingAsync(client, TimeSpan.FromSeconds(30));

        Assert.Equal(10_000, IntervalMs(slow));
        Assert.Equal(20_000, IntervalMs(afterSlow));
        Assert.Equal(2_000, IntervalMs(afterFast));
        Assert.Equal(30_000, IntervalMs(capped));
    }

    [Fact]
    public async Task MissedPong_ClosesTheConnectionWith4408_AfterThePongTimeout()
    {
        await using var client = await HubClient.ConnectAsync(HubClient.Endpoint(host.A), host.TokenFor(RealtimeHost.NewUser()));
        client.AnswerPings = false;
        host.Clock.Advance(Host.Interval);
        await client.NextAsync(HubFrameTypes.Ping);

        host.Clock.Advance(Host.PongTimeout - TimeSpan.FromSeconds(1));
        await EchoAsync(client);
        host.Clock.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal((WebSocketCloseStatus)HubCloseCodes.HeartbeatTimeout, await client.ClosedWithinAsync());
    }

    [Fact]
    public async Task PlatformClient_ReconnectsByItself_AfterAHeartbeatTimeout_AndResumesItsSession()
    {
        var user = RealtimeHost.NewUser();
        var token = host.TokenFor(user);
        await using var client = new ReconnectingHubClient([host.A.BaseAddress], () => token, TimeProvider.System) { AnswerPings = false };
        client.Start();
        var first = await HubClient.WithinAsync(client.Welcomes);
        await RouteAsync(user, "before");
        Assert.Equal(1, (await HubClient.NextMessageAsync(client)).Seq);

        host.Clock.Advance(Host.Interval);
        await Eventually.TrueAsync(() => Task.FromResult(host.A.Services.GetRequiredService<HubRegistry>().OfUser(user.Id).Any(c => Apex.Platform.Realtime.Heartbeat.HeartbeatFeature.StateOf(c)?.OutstandingSince is not null)));
        host.Clock.Advance(Host.PongTimeout);
        var second = await HubClient.WithinAsync(client.Welcomes);
        client.AnswerPings = true;
        await RouteAsync(user, "after");
        var next = await HubClient.NextMessageAsync(client);

        Assert.Equal([(WebSocketCloseStatus)HubCloseCodes.HeartbeatTimeout], client.Closes);
        Assert.NotEqual(Id(first, "connectionId"), Id(second, "connectionId"));
        Assert.Equal(Id(first, "sessionId"), Id(second, "sessionId"));
        Assert.True(second.Data!.Value.GetProperty("resumed").GetBoolean());
        Assert.Equal(2, next.Seq);
    }

    private async Task<HubFrame> PingAnsweredAfterAsync(HubClient client, TimeSpan wait, TimeSpan roundTrip)
    {
        var ping = await NextPingAsync(client, wait);
        host.Clock.Advance(roundTrip);
        await client.SendAsync(new HubFrame(HubFrameTypes.Pong, Seq: ping.Seq));
        await EchoAsync(client);
        return ping;
    }

    private async Task<HubFrame> NextPingAsync(HubClient client, TimeSpan wait)
    {
        host.Clock.Advance(wait);
        return await client.NextAsync(HubFrameTypes.Ping);
    }

    // Frames are handled in order, so once the echo is back everything sent before it was handled.
    private static async Task EchoAsync(HubClient client)
    {
        await client.SendAsync("echo", new { }, id: Guid.NewGuid().ToString("N"));
        await client.NextAsync("echo");
    }

    private Task RouteAsync(Apex.Platform.Auth.PlatformUser user, string body) =>
        host.A.Services.GetRequiredService<MessageRouter>().RouteAsync(new RoutedMessage(Guid.NewGuid().ToString("N"), new DeliveryTarget(user.TenantId, user.Id), "note", JsonSerializer.SerializeToElement(body)));

    private static long IntervalMs(HubFrame ping) => ping.Data!.Value.GetProperty("intervalMs").GetInt64();

    private static string Id(HubFrame welcome, string name) => welcome.Data!.Value.GetProperty(name).GetString()!;
}
