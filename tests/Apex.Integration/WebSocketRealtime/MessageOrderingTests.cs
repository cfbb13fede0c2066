using Apex.Integration.Infrastructure;
using Apex.Platform.Realtime.Hub;

namespace Apex.Integration.WebSocketRealtime;

/// <summary>
/// Plan item 23: frames of an ordered stream are handed on strictly in sequence. Early frames
/// wait within a window and are released when the missing ones arrive; a gap makes the hub ask
/// for a resend of exactly the missing range, and a gap still open after the timeout (platform
/// clock) is reported and skipped. Duplicates are dropped; frames beyond the window are refused.
/// </summary>
[PlanItem(23)]
[BusinessValue("All tiers", "Updates applied in the order they were made",
    "Data consistency worth $8K MRR reliability", "Collaborative features can trust event order")]
public sealed class MessageOrderingTests(MessageOrderingTests.Host host) : IClassFixture<MessageOrderingTests.Host>
{
    public sealed class Host(PostgresServer postgres, RedisServer redis) : RealtimeHost(postgres, redis)
    {
        public const int Window = 8;
        public static readonly TimeSpan GapTimeout = TimeSpan.FromSeconds(3);

        protected override string Owner => "item23";

        protected override Task<Dictionary<string, string?>> SettingsAsync() => Task.FromResult(new Dictionary<string, string?>
        {
            ["Platform:Realtime:Ordering:Window"] = Window.ToString(),
            ["Platform:Realtime:Ordering:GapTimeout"] = GapTimeout.ToString(),
        });
    }

    [Fact]
    public async Task OutOfOrderFrames_AreDeliveredInSequence_AfterAResendRequestForTheMissingRange()
    {
        await using var client = await HubClient.ConnectAsync(HubClient.Endpoint(host.A), host.TokenFor(RealtimeHost.NewUser()));

        await SendAsync(client, "doc", 1);
        await SendAsync(client, "doc", 4);
        await SendAsync(client, "doc", 5);
        var resend = await client.NextAsync("resend");
        await SendAsync(client, "doc", 3);
        await SendAsync(client, "doc", 2);
        await SendAsync(client, "doc", 2);
        await SendAsync(client, "doc", 6);
        var delivered = await TakeAsync(client, 6);

        Assert.Equal((2L, 3L), (resend.Data!.Value.GetProperty("from").GetInt64(), resend.Data!.Value.GetProperty("to").GetInt64()));
        Assert.Equal([1L, 2, 3, 4, 5, 6], delivered.Select(d => d.Seq!.Value));
        Assert.Equal(["b1", "b2", "b3", "b4", "b5", "b6"], delivered.Select(d => d.Data!.Value.GetProperty("body").GetString()));
        Assert.Equal(6, client.Received.Count(t => t == "delivered"));
    }

    [Fact]
    public async Task GapStillOpenAfterTheTimeout_IsReportedAndSkipped_AndStreamsAreIndependent()
    {
        await using var client = await HubClient.ConnectAsync(HubClient.Endpoint(host.A), host.TokenFor(RealtimeHost.NewUser()));
        await SendAsync(client, "prices", 1);
        Assert.Equal(1, (await client.NextAsync("delivered")).Seq);
        await SendAsync(client, "prices", 3);
        await client.NextAsync("resend");
        await SendAsync(client, "chat", 1);
        var chat = await client.NextAsync("delivered");

        host.Clock.Advance(Host.GapTimeout - TimeSpan.FromMilliseconds(1));
        await EchoAsync(client);
        var earlyGaps = client.Received.Count(t => t == "gap");
        host.Clock.Advance(TimeSpan.FromMilliseconds(1));
        var gap = await client.NextAsync("gap");
        var afterGap = await client.NextAsync("delivered");

        Assert.Equal("chat", chat.Data!.Value.GetProperty("stream").GetString());
        Assert.Equal(0, earlyGaps);
        Assert.Equal(("prices", 2L, 2L), (gap.Data!.Value.GetProperty("stream").GetString(), gap.Data!.Value.GetProperty("from").GetInt64(), gap.Data!.Value.GetProperty("to").GetInt64()));
        Assert.Equal(3, afterGap.Seq);
    }

    [Fact]
    public async Task FrameBeyondTheWindow_IsRefused_AndTheStreamGoesOn()
    {
        await using var client = await HubClient.ConnectAsync(HubClient.Endpoint(host.A), host.TokenFor(RealtimeHost.NewUser()));

        await SendAsync(client, "doc", 1 + Host.Window, id: "too-far");
        var refused = await client.NextAsync(HubFrameTypes.Error);
        await SendAsync(client, "doc", 1);

        Assert.Equal(("too-far", "out-of-window"), (refused.Id, refused.Data!.Value.GetProperty("code").GetString()));
        Assert.Equal(1, (await client.NextAsync("delivered")).Seq);
    }

    private static Task SendAsync(HubClient client, string stream, long seq, string? id = null) =>
        client.SendAsync("ordered", new { stream, body = $"b{seq}" }, id, seq);

    private static async Task EchoAsync(HubClient client)
    {
        await client.SendAsync("echo", new { });
        await client.NextAsync("echo");
    }

    private static async Task<List<HubFrame>> TakeAsync(HubClient client, int count)
    {
        var frames = new List<HubFrame>();
        for (var i = 0; i < count; i++) frames.Add(await client.NextAsync("delivered"));
        await EchoAsync(client);
        return frames;
    }
}
