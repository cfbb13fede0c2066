using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using Apex.Integration.Authentication;
using Apex.Integration.Fakes;
using Apex.Integration.Infrastructure;
using Apex.Platform.Auth;
using Apex.Platform.Auth.Sessions;
using Apex.Platform.Realtime.Hub;

namespace Apex.Integration.WebSocketRealtime;

/// <summary>
/// Plan item 26: users sign in through the platform's real OAuth login and open the hub with the
/// token they got. The token is checked before the upgrade (missing, expired, revoked or
/// wrong-audience tokens get 401 and never a socket); a connection lives no longer than its token
/// (closed with 4401 at expiry, on the platform clock) unless the client refreshes in-band.
/// </summary>
[PlanItem(26)]
[BusinessValue("All tiers", "Only authenticated users hold real-time connections",
    "Secure connections worth $9K MRR security", "Enterprise security reviews pass on the real-time channel")]
public sealed class AuthenticationHandshakeTests(AuthenticationHandshakeTests.Host host) : IClassFixture<AuthenticationHandshakeTests.Host>
{
    public sealed class Host(PostgresServer postgres, RedisServer redis) : RealtimeHost(postgres, redis)
    {
        public static readonly TimeSpan TokenLifetime = TimeSpan.FromMinutes(1);

        public FakeOAuthProvider Provider { get; private set; } = null!;

        protected override string Owner => "item26";

        protected override string[] Services => ["auth", "realtime"];

        public override async ValueTask InitializeAsync()
        {
            Provider = Own(await FakeOAuthProvider.StartNewAsync());
            await base.InitializeAsync();
        }

        protected override Task<Dictionary<string, string?>> SettingsAsync()
        {
            var settings = AuthApi.OAuthSettings(Provider);
            settings["Platform:Auth:AccessTokenLifetime"] = TokenLifetime.ToString();
            // Heartbeats far apart: these tests move the clock by minutes and are about tokens.
            foreach (var key in new[] { "Interval", "MinInterval", "MaxInterval", "StallAfter", "PongTimeout" }) settings[$"Platform:Realtime:Heartbeat:{key}"] = "00:10:00";
            return Task.FromResult(settings);
        }
    }

    [Fact]
    public async Task SignedInUser_OpensTheHub_WithTheTokenFromTheRealLoginPath()
    {
        var tokens = await AuthApi.SignInAsync(host.A, host.Provider, $"{Guid.NewGuid():N}@handshake.dev");

        await using var client = await HubClient.ConnectAsync(HubClient.Endpoint(host.A), tokens.AccessToken);
        await client.SendAsync("echo", new { text = "hello" }, id: "e1");
        var echo = await client.NextAsync("echo");

        Assert.Equal("e1", echo.Id);
        Assert.Equal("hello", echo.Data!.Value.GetProperty("text").GetString());
    }

    [Fact]
    public async Task Handshake_IsRefusedWith401BeforeAnyUpgrade_ForMissingExpiredRevokedOrForeignTokens()
    {
        var tokens = await AuthApi.SignInAsync(host.A, host.Provider, $"{Guid.NewGuid():N}@handshake.dev");
        var user = new PlatformUser(tokens.UserId, tokens.TenantId, "someone@handshake.dev", "Someone");
        var revoked = await AuthApi.SignInAsync(host.A, host.Provider, $"{Guid.NewGuid():N}@handshake.dev");
        (await AuthApi.SendAsync(host.A, HttpMethod.Post, "auth/logout", revoked.AccessToken)).EnsureSuccessStatusCode();

        Assert.Equal(HttpStatusCode.Unauthorized, await RefusedAsync(null));
        Assert.Equal(HttpStatusCode.Unauthorized, await RefusedAsync(TokenForge.Expired(user)));
        Assert.Equal(HttpStatusCode.Unauthorized, await RefusedAsync(revoked.AccessToken));
        Assert.Equal(HttpStatusCode.Unauthorized, await RefusedAsync(TokenForge.ForAudience(user, "another-product")));
        Assert.Equal(HttpStatusCode.Unauthorized, await RefusedAsync(TokenForge.SignedWithOtherKey(user)));
        await using var genuine = await HubClient.ConnectAsync(HubClient.Endpoint(host.A), tokens.AccessToken);
        Assert.Equal(HubFrameTypes.Welcome, genuine.Welcome.Type);
    }

    [Fact]
    public async Task TokenExpiry_ClosesTheConnectionWith4401_OnThePlatformClock()
    {
        var tokens = await AuthApi.SignInAsync(host.A, host.Provider, $"{Guid.NewGuid():N}@handshake.dev");
        await using var client = await HubClient.ConnectAsync(HubClient.Endpoint(host.A), tokens.AccessToken);
        var left = tokens.ExpiresAt - host.Clock.GetUtcNow();

        host.Clock.Advance(left - TimeSpan.FromSeconds(1));
        await client.SendAsync("echo", new { still = "open" });
        await client.NextAsync("echo");
        host.Clock.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal((WebSocketCloseStatus)HubCloseCodes.TokenExpired, await client.ClosedWithinAsync());
    }

    [Fact]
    public async Task InBandRefresh_KeepsTheConnectionPastTheFirstTokensExpiry()
    {
        var tokens = await AuthApi.SignInAsync(host.A, host.Provider, $"{Guid.NewGuid():N}@handshake.dev");
        await using var client = await HubClient.ConnectAsync(HubClient.Endpoint(host.A), tokens.AccessToken);
        host.Clock.Advance(Host.TokenLifetime - TimeSpan.FromSeconds(10));
        var refreshed = await (await AuthApi.SendAsync(host.A, HttpMethod.Post, "auth/token/refresh", null, new SessionEndpoints.RefreshRequest(tokens.RefreshToken!)))
            .ReadAsync<AuthEndpoints.TokenResponse>();

        await client.SendAsync("auth.refresh", new { token = refreshed.AccessToken }, id: "r1");
        var answer = await client.NextAsync("auth.refreshed");
        host.Clock.Advance(TimeSpan.FromSeconds(30));
        await client.SendAsync("echo", new { still = "open" }, id: "e1");
        var echo = await client.NextAsync("echo");
        host.Clock.Advance(Host.TokenLifetime);

        Assert.Equal(refreshed.ExpiresAt.ToUnixTimeSeconds(), answer.Data!.Value.GetProperty("expiresAt").GetDateTimeOffset().ToUnixTimeSeconds());
        Assert.Equal("e1", echo.Id);
        Assert.Equal((WebSocketCloseStatus)HubCloseCodes.TokenExpired, await client.ClosedWithinAsync());
    }

    [Fact]
    public async Task InBandRefresh_WithAnotherUsersOrAForgedToken_IsRefused_AndTheConnectionKeepsItsDeadline()
    {
        var tokens = await AuthApi.SignInAsync(host.A, host.Provider, $"{Guid.NewGuid():N}@handshake.dev");
        var other = await AuthApi.SignInAsync(host.A, host.Provider, $"{Guid.NewGuid():N}@handshake.dev");
        await using var client = await HubClient.ConnectAsync(HubClient.Endpoint(host.A), tokens.AccessToken);

        await client.SendAsync("auth.refresh", new { token = other.AccessToken }, id: "r1");
        var foreign = await client.NextAsync(HubFrameTypes.Error);
        await client.SendAsync("auth.refresh", new { token = TokenForge.Tampered(tokens.AccessToken, other.UserId) }, id: "r2");
        var forged = await client.NextAsync(HubFrameTypes.Error);
        host.Clock.Advance(tokens.ExpiresAt - host.Clock.GetUtcNow());

        Assert.Equal(("r1", "refresh-refused"), (foreign.Id, foreign.Data!.Value.GetProperty("code").GetString()));
        Assert.Equal(("r2", "refresh-refused"), (forged.Id, forged.Data!.Value.GetProperty("code").GetString()));
        Assert.Equal((WebSocketCloseStatus)HubCloseCodes.TokenExpired, await client.ClosedWithinAsync());
    }

    private async Task<HttpStatusCode> RefusedAsync(string? token)
    {
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        if (token is not null) socket.Options.SetRequestHeader("Authorization", $"Bearer {token}");
        await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(HubClient.Endpoint(host.A), HubClient.Cancel));
        return socket.HttpStatusCode;
    }
}
