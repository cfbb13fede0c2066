using System.Net;
using System.Net.Http.Json;
using Apex.Integration.Fakes;
using Apex.Integration.Infrastructure;
using Apex.Platform.Auth;
using Apex.Platform.Realtime;
using Microsoft.Extensions.DependencyInjection;

namespace Apex.Integration.Authentication;

/// <summary>
/// Plan item 1: an OAuth authorization code becomes a platform JWT, which opens a WebSocket over a
/// real socket; the connection is recorded in Redis and messages round-trip. Bad tokens never get
/// past the handshake.
/// </summary>
[PlanItem(1)]
[BusinessValue("All tiers (Free to Enterprise)", "Secure sign-in to the real-time product surface",
    "Prevents auth breaches worth $15K MRR per incident", "Trust in platform security underpins enterprise sales")]
public sealed class OAuthJwtWebSocketFlowTests(PostgresServer postgres, RedisServer redis) : IAsyncLifetime
{
    private FakeOAuthProvider _provider = null!;
    private PlatformInstance _platform = null!;

    public async ValueTask InitializeAsync()
    {
        _provider = await FakeOAuthProvider.StartNewAsync();
        var database = await postgres.CreateDatabaseAsync(nameof(OAuthJwtWebSocketFlowTests));
        _platform = await PlatformInstance.StartAsync(new PlatformSettings(database, redis.ConnectionString, RedisServer.NewKeyPrefix("item1"))
        {
            Extra = new Dictionary<string, string?>
            {
                ["Platform:OAuth:BaseUrl"] = _provider.BaseAddress.ToString(),
                ["Platform:OAuth:ClientId"] = FakeOAuthProvider.ClientId,
                ["Platform:OAuth:ClientSecret"] = FakeOAuthProvider.ClientSecret,
                ["Platform:OAuth:RedirectUri"] = "https://app.apex.test/auth/callback",
            },
        });
    }

    public async ValueTask DisposeAsync()
    {
        await _platform.DisposeAsync();
        await _provider.DisposeAsync();
    }

    [Fact]
    public async Task OAuthCode_OpensAuthenticatedWebSocket_RecordedInRedis_WithMessageRoundTrip()
    {
        var token = await SignInAsync("google|ada", "ada@lovelace.dev", "Ada");
        var store = _platform.Services.GetRequiredService<RealtimeSessionStore>();

        await using var socket = await WebSocketClient.ConnectAsync(_platform, token.AccessToken);
        var welcome = await socket.ReceiveAsync();
        await socket.SendAsync(new RealtimeMessage("echo", "hello over a real socket"));
        var echo = await socket.ReceiveAsync();

        Assert.Equal("welcome", welcome.Type);
        Assert.Equal(token.UserId, welcome.UserId);
        var session = await store.DescribeAsync(welcome.ConnectionId!);
        Assert.Equal(token.UserId.ToString(), session["user"]);
        Assert.Equal(token.TenantId.ToString(), session["tenant"]);
        Assert.Contains(welcome.ConnectionId!, await store.ConnectionsOfAsync(token.UserId));
        Assert.Equal(("echo", "hello over a real socket", token.UserId), (echo.Type, echo.Payload, echo.UserId));
    }

    [Fact]
    public async Task ClosingTheSocket_RemovesTheSessionFromRedis()
    {
        var token = await SignInAsync("google|grace", "grace@hopper.dev", "Grace");
        var store = _platform.Services.GetRequiredService<RealtimeSessionStore>();
        await using var socket = await WebSocketClient.ConnectAsync(_platform, token.AccessToken, tokenInQuery: true);
        var welcome = await socket.ReceiveAsync();

        await socket.CloseAsync();

        await Eventually.TrueAsync(async () => (await store.ConnectionsOfAsync(token.UserId)).Count == 0);
        Assert.Empty(await store.DescribeAsync(welcome.ConnectionId!));
    }

    [Fact]
    public async Task UnknownMessageType_IsAnsweredWithAnError_AndTheConnectionStaysOpen()
    {
        var token = await SignInAsync("google|alan", "alan@turing.dev", "Alan");
        await using var socket = await WebSocketClient.ConnectAsync(_platform, token.AccessToken);
        await socket.ReceiveAsync();

        await socket.SendAsync(new RealtimeMessage("launch-missiles"));
        var error = await socket.ReceiveAsync();
        await socket.SendAsync(new RealtimeMessage("echo", "still here"));

        Assert.Equal("error", error.Type);
        Assert.Equal("still here", (await socket.ReceiveAsync()).Payload);
    }

    [Fact]
    public async Task CallbackWithForeignOrReusedCode_IsRefusedWith401()
    {
        var code = _provider.IssueCode("google|eve", "eve@evil.dev", "Eve");
        var first = await _platform.Client.GetAsync($"auth/oauth/callback?code={code}", TestContext.Current.CancellationToken);

        var reused = await _platform.Client.GetAsync($"auth/oauth/callback?code={code}", TestContext.Current.CancellationToken);
        var madeUp = await _platform.Client.GetAsync("auth/oauth/callback?code=not-a-code", TestContext.Current.CancellationToken);
        var missing = await _platform.Client.GetAsync("auth/oauth/callback", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, reused.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, madeUp.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Equal("application/problem+json", reused.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task ExpiredTamperedOrForeignTokens_AreRefusedAtTheHandshake()
    {
        var token = await SignInAsync("google|mallory", "mallory@corp.dev", "Mallory");
        var user = new PlatformUser(token.UserId, token.TenantId, "mallory@corp.dev", "Mallory");

        Assert.Equal(HttpStatusCode.Unauthorized, await WebSocketClient.RefusedHandshakeAsync(_platform, TokenForge.Expired(user)));
        Assert.Equal(HttpStatusCode.Unauthorized, await WebSocketClient.RefusedHandshakeAsync(_platform, TokenForge.Tampered(token.AccessToken, Guid.NewGuid())));
        Assert.Equal(HttpStatusCode.Unauthorized, await WebSocketClient.RefusedHandshakeAsync(_platform, TokenForge.ForAudience(user, "another-product")));
        Assert.Equal(HttpStatusCode.Unauthorized, await WebSocketClient.RefusedHandshakeAsync(_platform, TokenForge.SignedWithOtherKey(user)));
        Assert.Equal(HttpStatusCode.Unauthorized, await WebSocketClient.RefusedHandshakeAsync(_platform, "not-a-jwt"));
        await using var genuine = await WebSocketClient.ConnectAsync(_platform, token.AccessToken);
        Assert.Equal("welcome", (await genuine.ReceiveAsync()).Type);
    }

    private async Task<AuthEndpoints.TokenResponse> SignInAsync(string subject, string email, string name)
    {
        var code = _provider.IssueCode(subject, email, name);
        var response = await _platform.Client.GetAsync($"auth/oauth/callback?code={code}", TestContext.Current.CancellationToken);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<AuthEndpoints.TokenResponse>(TestContext.Current.CancellationToken))!;
    }
}
