using System.Text.Json;
using Apex.Integration.Infrastructure;
using Apex.Platform.Realtime.Delivery;
using Apex.Platform.Realtime.Hub;
using Microsoft.Extensions.DependencyInjection;

namespace Apex.Integration.WebSocketRealtime;

/// <summary>
/// Plan item 20: each connection's inbound frames pass a token bucket on the platform clock; past
/// it the client gets a throttle frame saying when to retry, and the frame is not handled. Outbound,
/// each connection has a bounded send queue: a client that stops reading is disconnected once its
/// queue is full, so it costs the process at most that queue.
/// </summary>
[PlanItem(20)]
[BusinessValue("All tiers", "One client cannot degrade the real-time tier for others",
    "DoS prevention worth $9K MRR stability", "Predictable capacity per instance under abusive clients")]
public sealed class RateLimitingTests(RateLimitingTests.Host host) : IClassFixture<RateLimitingTests.Host>
{
    public sealed class Host(PostgresServer postgres, RedisServer redis) : RealtimeHost(postgres, redis)
    {
        public const int Burst = 3;
        public const int PerSecond = 2;
        public const int QueueCapacity = 8;

        protected override string Owner => "item20";

        protected override Task<Dictionary<string, string?>> SettingsAsync() => Task.FromResult(new Dictionary<string, string?>
        {
            ["Platform:Realtime:MessagesPerSecond"] = PerSecond.ToString(),
            ["Platform:Realtime:MessageBurst"] = Burst.ToString(),
            ["Platform:Realtime:SendQueueCapacity"] = QueueCapacity.ToString(),
        });
    }

    [Fact]
    public async Task FramesBeyondTheBurst_GetThrottleFramesWithTheRetryTime_AndAreHandledAgainAfterIt()
    {
        using var metrics = new MetricsProbe(host.A.Services);
        await using var client = await HubClient.ConnectAsync(HubClient.Endpoint(host.A), host.TokenFor(RealtimeHost.NewUser()));

        for (var i = 1; i <= Host.Burst + 2; i++) await client.SendAsync("echo", new { i }, id: $"e{i}");
        var answers = new List<HubFrame>();
        for (var i = 0; i < Host.Burst + 2; i++) answers.Add(await NextAnswerAsync(client));
        host.Clock.Advance(TimeSpan.FromMilliseconds(500));
        await client.SendAsync("echo", new { }, id: "after-wait");
        var afterWait = await NextAnswerAsync(client);

        Assert.Equal(["echo", "echo", "echo", HubFrameTypes.Throttle, HubFrameTypes.Throttle], answers.Select(a => a.Type));
        Assert.Equal(["e4", "e5"], answers.Skip(Host.Burst).Select(a => a.Id));
        Assert.All(answers.Skip(Host.Burst), t => Assert.Equal(1000 / Host.PerSecond, t.Data!.Value.GetProperty("retryAfterMs").GetInt64()));
        Assert.Equal(("echo", "after-wait"), (afterWait.Type, afterWait.Id));
        Assert.Equal(2, metrics.Sum("apex.realtime.messages.throttled"));
    }

    [Fact]
    public async Task Throttling_IsPerConnection_SoAnotherConnectionOfTheSameUserIsServed()
    {
        var user = RealtimeHost.NewUser();
        await using var noisy = await HubClient.ConnectAsync(HubClient.Endpoint(host.A), host.TokenFor(user));
        await using var quiet = await HubClient.ConnectAsync(HubClient.Endpoint(host.A), host.TokenFor(user));
        for (var i = 0; i <= Host.Burst; i++) await noisy.SendAsync("echo", new { i });
        await noisy.NextAsync(HubFrameTypes.Throttle);

        await quiet.SendAsync("echo", new { }, id: "q1");

        Assert.Equal("q1", (await NextAnswerAsync(quiet)).Id);
    }

    [Fact]
    public async Task ClientThatStopsReading_IsDisconnectedWhenItsSendQueueIsFull_AndTheQueueNeverGrowsPastItsBound()
    {
        using var metrics = new MetricsProbe(host.A.Services);
        var user = RealtimeHost.NewUser();
        await using var reader = await HubClient.ConnectAsync(HubClient.Endpoint(host.A), host.TokenFor(user), read: false);
        var registry = host.A.Services.GetRequiredService<HubRegistry>();
        var connection = registry.Find(reader.ConnectionId)!;
        var router = host.A.Services.GetRequiredService<MessageRouter>();
        var chunk = JsonSerializer.SerializeToElement(new string('x', 64 * 1024));

        var sent = 0;
        while (registry.Find(reader.ConnectionId) is not null && sent < 5_000)
        {
            // Live-only frames: straight into the connection's queue, nothing kept in Redis.
            await router.RouteAsync(new RoutedMessage(Guid.NewGuid().ToString("N"), new(user.TenantId, user.Id), "bulk", chunk, Durable: false));
            sent++;
        }

        await Eventually.TrueAsync(() => Task.FromResult(metrics.Sum("apex.realtime.disconnects", "send-queue-full") == 1));
        Assert.Null(registry.Find(reader.ConnectionId));
        Assert.Equal("send-queue-full", connection.EndReason);
        Assert.InRange(connection.PeakQueued, 1, Host.QueueCapacity);
        Assert.True(sent < 5_000, "The reader was never disconnected.");
    }

    [Fact]
    public async Task Resume_ReplaysABacklogTenTimesTheSendQueueWhole_WithoutDroppingTheConnection()
    {
        var user = RealtimeHost.NewUser();
        var token = host.TokenFor(user);
        var first = await HubClient.ConnectAsync(HubClient.Endpoint(host.A), token);
        first.Abort();
        await first.DisposeAsync();
        var backlog = Host.QueueCapacity * 10;
        var router = host.A.Services.GetRequiredService<MessageRouter>();
        for (var i = 1; i <= backlog; i++)
        {
            await router.RouteAsync(new RoutedMessage(Guid.NewGuid().ToString("N"), new(user.TenantId, user.Id), "note", JsonSerializer.SerializeToElement(i)));
        }

        // The session log is replayed at the client's pace: never more than the queue holds at once.
        await using var second = await HubClient.ConnectAsync(HubClient.Endpoint(host.A, first.SessionId, lastSeq: 0), token);
        var connection = host.A.Services.GetRequiredService<HubRegistry>().Find(second.ConnectionId);
        var replayed = new List<long>();
        for (var i = 0; i < backlog; i++) replayed.Add((await second.NextAsync(HubFrameTypes.Message)).Seq!.Value);

        Assert.Equal(Enumerable.Range(1, backlog).Select(i => (long)i), replayed);
        Assert.NotNull(connection);
        Assert.True(connection.IsOpen, $"The connection ended: {connection.EndReason}");
        Assert.InRange(connection.PeakQueued, 1, Host.QueueCapacity);
    }

    private static async Task<HubFrame> NextAnswerAsync(HubClient client)
    {
        while (true)
        {
            var frame = await client.NextAnyAsync();
            if (frame.Type is "echo" or HubFrameTypes.Throttle) return frame;
        }
    }
}
