using System.Net;
using Apex.Integration.Fakes;
using Apex.Integration.Infrastructure;
using Apex.Platform.Auth.Sessions;
using Apex.Platform.Realtime;
using Microsoft.Extensions.DependencyInjection;
using static Apex.Integration.Authentication.AuthApi;

namespace Apex.Integration.Authentication;

/// <summary>
/// Plan item 6: one user signed in on several devices, each its own session with its own
/// WebSocket; a per-user session limit that evicts the oldest (atomically, even under parallel
/// sign-ins); the user lists their devices and revokes one, and that device's socket closes.
/// </summary>
[PlanItem(6)]
[BusinessValue("Enterprise", "Multi-device support with control over signed-in devices",
    "Multi-device support worth $5K MRR enterprise features", "Device management is expected by enterprise security reviews")]
public sealed class ConcurrentLoginSessionsTests(ConcurrentLoginSessionsTests.Host host) : IClassFixture<ConcurrentLoginSessionsTests.Host>
{
    private readonly FakeOAuthProvider _provider = host.Provider;
    private readonly PlatformInstance _platform = host.A;

    public sealed class Host(PostgresServer postgres, RedisServer redis) : ClassHost(postgres, redis)
    {
        protected override string Owner => "item6";

        protected override string[] Services => ["auth", "realtime", "backend"];

        protected override Task<Dictionary<string, string?>> ExtraSettingsAsync() =>
            Task.FromResult(new Dictionary<string, string?> { ["Platform:Sessions:MaxSessionsPerUser"] = "3" });
    }

    [Fact]
    public async Task SameUser_OnSeveralDevices_HasIndependentSessionsAndSockets_ListedByDevice()
    {
        var laptop = await SignInAsync(_platform, _provider, "fay@multi.test", "laptop");
        var phone = await SignInAsync(_platform, _provider, "fay@multi.test", "phone");
        var tablet = await SignInAsync(_platform, _provider, "fay@multi.test", "tablet");

        await using var s1 = await WebSocketClient.ConnectAsync(_platform, laptop.AccessToken);
        await using var s2 = await WebSocketClient.ConnectAsync(_platform, phone.AccessToken);
        await using var s3 = await WebSocketClient.ConnectAsync(_platform, tablet.AccessToken);
        var welcomes = new[] { await s1.ReceiveAsync(), await s2.ReceiveAsync(), await s3.ReceiveAsync() };
        var devices = await (await GetAsync(_platform, "auth/sessions", phone.AccessToken)).ReadAsync<List<SessionEndpoints.DeviceSession>>();

        Assert.Equal(["laptop", "phone", "tablet"], devices.Select(d => d.Device));
        Assert.Equal(phone.SessionId, devices.Single(d => d.Current).SessionId);
        Assert.Equal(3, new[] { laptop.SessionId, phone.SessionId, tablet.SessionId }.Distinct().Count());
        Assert.Equal(3, welcomes.Select(w => w.ConnectionId).Distinct().Count());
        var connections = await _platform.Services.GetRequiredService<RealtimeSessionStore>().ConnectionsOfAsync(laptop.UserId);
        Assert.Equal(welcomes.Select(w => w.ConnectionId!).Order(), connections.Order());
    }

    [Fact]
    public async Task SignInPastTheLimit_EvictsTheOldestSession_AndClosesItsSocket()
    {
        var oldest = await SignInAsync(_platform, _provider, "gus@multi.test", "old desktop");
        await SignInAsync(_platform, _provider, "gus@multi.test", "phone");
        await SignInAsync(_platform, _provider, "gus@multi.test", "tablet");
        await using var socket = await WebSocketClient.ConnectAsync(_platform, oldest.AccessToken);
        await socket.ReceiveAsync();

        var newest = await SignInAsync(_platform, _provider, "gus@multi.test", "new laptop");

        var notice = await socket.ReceiveAsync();
        Assert.Equal(("session-ended", "evicted"), (notice.Type, notice.Payload));
        Assert.Equal(RealtimeConnection.SessionEndedStatus, await socket.ReceiveCloseAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync(_platform, "auth/sessions", oldest.AccessToken)).StatusCode);
        var devices = await (await GetAsync(_platform, "auth/sessions", newest.AccessToken)).ReadAsync<List<SessionEndpoints.DeviceSession>>();
        Assert.Equal(["phone", "tablet", "new laptop"], devices.Select(d => d.Device));
    }

    [Fact]
    public async Task ParallelSignIns_NeverLeaveMoreSessionsThanTheLimit()
    {
        var tokens = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => SignInAsync(_platform, _provider, "hal@multi.test", $"device {i}")));

        var accepted = new List<string>();
        foreach (var token in tokens)
        {
            if ((await GetAsync(_platform, "auth/sessions/current", token.AccessToken)).StatusCode == HttpStatusCode.OK) accepted.Add(token.SessionId!);
        }

        var listed = await (await GetAsync(_platform, "auth/sessions", tokens.First(t => accepted.Contains(t.SessionId!)).AccessToken))
            .ReadAsync<List<SessionEndpoints.DeviceSession>>();
        Assert.Equal(3, accepted.Count);
        Assert.Equal(accepted.Order(), listed.Select(s => s.SessionId).Order());
    }

    [Fact]
    public async Task RevokingADevice_EndsThatSessionAndItsSocketOnly()
    {
        var laptop = await SignInAsync(_platform, _provider, "ivy@multi.test", "laptop");
        var phone = await SignInAsync(_platform, _provider, "ivy@multi.test", "phone");
        await using var laptopSocket = await WebSocketClient.ConnectAsync(_platform, laptop.AccessToken);
        await using var phoneSocket = await WebSocketClient.ConnectAsync(_platform, phone.AccessToken);
        await laptopSocket.ReceiveAsync();
        await phoneSocket.ReceiveAsync();

        var revoke = await SendAsync(_platform, HttpMethod.Delete, $"auth/sessions/{laptop.SessionId}", phone.AccessToken);

        Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        var notice = await laptopSocket.ReceiveAsync();
        Assert.Equal(("session-ended", "revoked"), (notice.Type, notice.Payload));
        Assert.Equal(RealtimeConnection.SessionEndedStatus, await laptopSocket.ReceiveCloseAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync(_platform, "auth/sessions", laptop.AccessToken)).StatusCode);
        await phoneSocket.SendAsync(new RealtimeMessage("echo", "still here"));
        Assert.Equal("still here", (await phoneSocket.ReceiveAsync()).Payload);
    }

    [Fact]
    public async Task RevokingAnotherUsersSession_IsNotFound_AndTheirSessionSurvives()
    {
        var victim = await SignInAsync(_platform, _provider, "jo@multi.test", "laptop");
        var intruder = await SignInAsync(_platform, _provider, "kai@multi.test", "laptop");

        var foreign = await SendAsync(_platform, HttpMethod.Delete, $"auth/sessions/{victim.SessionId}", intruder.AccessToken);
        var unknown = await SendAsync(_platform, HttpMethod.Delete, "auth/sessions/no-such-session", intruder.AccessToken);

        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(_platform, "auth/sessions/current", victim.AccessToken)).StatusCode);
    }
}
