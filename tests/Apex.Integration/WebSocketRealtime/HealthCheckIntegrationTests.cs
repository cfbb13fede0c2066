using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;
using Apex.Integration.Infrastructure;
using Apex.Platform.Realtime.Health;
using Apex.Platform.Realtime.Hub;
using Microsoft.Extensions.DependencyInjection;

namespace Apex.Integration.WebSocketRealtime;

/// <summary>
/// Plan item 22: the hub's heartbeat figures and connection counts reach operators through an
/// ASP.NET Core health check (GET /health/realtime) and System.Diagnostics.Metrics instruments.
/// A connection whose ping goes unanswered is reported stalled and turns health Degraded; it turns
/// Healthy again when the client answers, or when the stalled connection is closed at the timeout.
/// </summary>
[PlanItem(22)]
[BusinessValue("Platform operations", "Real-time tier health visible to monitoring",
    "Monitoring worth $6K MRR operational excellence", "Incidents in the real-time tier are seen before customers report them")]
public sealed class HealthCheckIntegrationTests(HealthCheckIntegrationTests.Host host) : IClassFixture<HealthCheckIntegrationTests.Host>
{
    public sealed class Host(PostgresServer postgres, RedisServer redis) : RealtimeHost(postgres, redis)
    {
        public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);
        public static readonly TimeSpan StallAfter = TimeSpan.FromSeconds(5);
        public static readonly TimeSpan PongTimeout = TimeSpan.FromSeconds(20);

        protected override string Owner => "item22";

        protected override Task<Dictionary<string, string?>> SettingsAsync() => Task.FromResult(new Dictionary<string, string?>
        {
            ["Platform:Realtime:Heartbeat:Interval"] = Interval.ToString(),
            ["Platform:Realtime:Heartbeat:MinInterval"] = Interval.ToString(),
            ["Platform:Realtime:Heartbeat:StallAfter"] = StallAfter.ToString(),
            ["Platform:Realtime:Heartbeat:PongTimeout"] = PongTimeout.ToString(),
        });
    }

    [Fact]
    public async Task Health_ReportsHealthyWithConnectionCounts_AndTheMeterCountsOpenConnections()
    {
        await NoConnectionsAsync();
        using var metrics = new MetricsProbe(host.A.Services);
        await using var first = await HubClient.ConnectAsync(HubClient.Endpoint(host.A), host.TokenFor(RealtimeHost.NewUser()));
        await using var second = await HubClient.ConnectAsync(HubClient.Endpoint(host.A), host.TokenFor(RealtimeHost.NewUser()));

        var health = await HealthAsync();

        Assert.Equal("Healthy", Status(health));
        Assert.Equal(2, Data(health).GetProperty("connections").GetInt32());
        Assert.Equal("a", Data(health).GetProperty("instance").GetString());
        Assert.Equal(2, metrics.Observe("apex.realtime.connections"));
        Assert.Equal(0, metrics.Observe("apex.realtime.connections.stalled"));
    }

    [Fact]
    public async Task UnansweredPing_TurnsHealthDegraded_AndAnsweringIt_TurnsItHealthyAgain_WithTheRoundTripRecorded()
    {
        await NoConnectionsAsync();
        using var metrics = new MetricsProbe(host.A.Services);
        await using var client = await HubClient.ConnectAsync(HubClient.Endpoint(host.A), host.TokenFor(RealtimeHost.NewUser()));
        client.AnswerPings = false;
        host.Clock.Advance(Host.Interval);
        var ping = await client.NextAsync(HubFrameTypes.Ping);

        host.Clock.Advance(Host.StallAfter);
        var stalled = await HealthAsync();
        var stalledGauge = metrics.Observe("apex.realtime.connections.stalled");
        await client.SendAsync(new HubFrame(HubFrameTypes.Pong, Seq: ping.Seq));
        await client.SendAsync("echo", new { });
        await client.NextAsync("echo");
        var recovered = await HealthAsync();

        Assert.Equal(("Degraded", 1), (Status(stalled), Data(stalled).GetProperty("stalled").GetInt32()));
        Assert.Equal(1, stalledGauge);
        Assert.Equal("Healthy", Status(recovered));
        Assert.Equal(Host.StallAfter.TotalMilliseconds, Data(recovered).GetProperty("slowestRoundTripMs").GetDouble());
        Assert.Equal([Host.StallAfter.TotalMilliseconds], metrics.Values("apex.realtime.heartbeat.rtt"));
    }

    [Fact]
    public async Task StalledConnection_IsClosedAtThePongTimeout_CountedAsAHeartbeatDisconnect_AndHealthRecovers()
    {
        await NoConnectionsAsync();
        using var metrics = new MetricsProbe(host.A.Services);
        await using var healthy = await HubClient.ConnectAsync(HubClient.Endpoint(host.A), host.TokenFor(RealtimeHost.NewUser()));
        await using var stuck = await HubClient.ConnectAsync(HubClient.Endpoint(host.A), host.TokenFor(RealtimeHost.NewUser()));
        stuck.AnswerPings = false;
        host.Clock.Advance(Host.Interval);
        await stuck.NextAsync(HubFrameTypes.Ping);
        await healthy.NextAsync(HubFrameTypes.Ping);
        // Frames are handled in order: once this echo is back, the healthy client's pong was handled.
        await healthy.SendAsync("echo", new { });
        await healthy.NextAsync("echo");
        host.Clock.Advance(Host.StallAfter);
        var degraded = await HealthAsync();

        host.Clock.Advance(Host.PongTimeout - Host.StallAfter);
        var closed = await stuck.ClosedWithinAsync();
        await Eventually.TrueAsync(() => Task.FromResult(metrics.Sum("apex.realtime.disconnects", "heartbeat-timeout") == 1));
        var after = await HealthAsync();

        Assert.Equal("Degraded", Status(degraded));
        Assert.Equal((WebSocketCloseStatus)HubCloseCodes.HeartbeatTimeout, closed);
        Assert.Equal(("Healthy", 1), (Status(after), Data(after).GetProperty("connections").GetInt32()));
    }

    private Task NoConnectionsAsync() => Eventually.TrueAsync(() => Task.FromResult(host.A.Services.GetRequiredService<HubRegistry>().Count == 0));

    private async Task<JsonElement> HealthAsync() =>
        await host.A.Client.GetFromJsonAsync<JsonElement>("health/realtime", HubClient.Cancel);

    private static string Status(JsonElement health) => health.GetProperty("status").GetString()!;

    private static JsonElement Data(JsonElement health) => health.GetProperty("entries").GetProperty("realtime-hub").GetProperty("data");
}
