using System.Net;
using Apex.Integration.Fakes;
using Apex.Integration.Infrastructure;
using Apex.Platform.Auth.Sessions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;
using static Apex.Integration.Authentication.AuthApi;

namespace Apex.Integration.Authentication;

/// <summary>
/// Plan item 3: login sessions live in Redis, so two auth instances sharing one Redis see the same
/// session: created on one, read and updated on the other, ended on one and gone on both, expired
/// by the platform clock on both at the same moment.
/// </summary>
[PlanItem(3)]
[BusinessValue("All tiers", "Consistent sessions across instances",
    "Session consistency prevents $8K MRR user frustration churn", "Horizontal scaling of the auth service without sticky sessions")]
public sealed class SessionRedisSyncTests(SessionRedisSyncTests.Host host) : IClassFixture<SessionRedisSyncTests.Host>
{
    private readonly FakeTimeProvider _clock = host.Clock;
    private readonly string _prefix = host.RedisPrefix;
    private readonly FakeOAuthProvider _provider = host.Provider;
    private readonly PlatformInstance _a = host.A;
    private readonly PlatformInstance _b = host.B;
    private readonly ConnectionMultiplexer _redis = host.Connection;

    public sealed class Host(PostgresServer postgres, RedisServer redis) : ClassHost(postgres, redis)
    {
        public ConnectionMultiplexer Connection { get; private set; } = null!;

        protected override string Owner => "item3";

        protected override string[] Services => ["auth", "backend"];

        protected override bool TwoInstances => true;

        protected override async Task<Dictionary<string, string?>> ExtraSettingsAsync()
        {
            Connection = Own(await Redis.ConnectAsync());
            return new() { ["Platform:Sessions:IdleTimeout"] = "00:30:00" };
        }
    }

    [Fact]
    public async Task SignIn_CreatesSessionInRedis_ReadableFromTheOtherInstance()
    {
        var token = await SignInAsync(_a, _provider, "ana@sync.test", device: "Ana's laptop");

        var current = await (await GetAsync(_b, "auth/sessions/current", token.AccessToken)).ReadAsync<SessionEndpoints.CurrentSession>();
        var stored = await _redis.GetDatabase().HashGetAllAsync($"{_prefix}auth:session:{token.SessionId}");

        Assert.Equal((token.SessionId, "Ana's laptop"), (current.SessionId, current.Device));
        Assert.Equal(token.UserId.ToString(), stored.Single(e => e.Name == "user").Value.ToString());
        Assert.Equal(_clock.GetUtcNow() + TimeSpan.FromMinutes(30), current.ExpiresAt);
    }

    [Fact]
    public async Task SessionUpdates_FromBothInstancesAtOnce_AllSurvive_AndEachInstanceReadsThem()
    {
        var token = await SignInAsync(_a, _provider, "ben@sync.test");
        Assert.Equal(HttpStatusCode.NoContent, (await SendAsync(_a, HttpMethod.Patch, "auth/sessions/current", token.AccessToken, new { theme = "dark" })).StatusCode);

        var writes = Enumerable.Range(0, 20).Select(i =>
            SendAsync(i % 2 == 0 ? _a : _b, HttpMethod.Patch, "auth/sessions/current", token.AccessToken, new Dictionary<string, string> { [$"tab{i}"] = $"v{i}" }));
        var statuses = (await Task.WhenAll(writes)).Select(r => r.StatusCode).ToList();

        var fromA = await (await GetAsync(_a, "auth/sessions/current", token.AccessToken)).ReadAsync<SessionEndpoints.CurrentSession>();
        var fromB = await (await GetAsync(_b, "auth/sessions/current", token.AccessToken)).ReadAsync<SessionEndpoints.CurrentSession>();
        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.NoContent, s));
        Assert.Equal(21, fromB.Attributes.Count);
        Assert.Equal("dark", fromB.Attributes["theme"]);
        Assert.Equal(fromA.Attributes.OrderBy(a => a.Key), fromB.Attributes.OrderBy(a => a.Key));
    }

    [Fact]
    public async Task Logout_OnOneInstance_InvalidatesTheSessionOnTheOther_AndLeavesOtherDevicesSignedIn()
    {
        var phone = await SignInAsync(_a, _provider, "cy@sync.test", device: "phone");
        var laptop = await SignInAsync(_a, _provider, "cy@sync.test", device: "laptop");
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(_b, "auth/sessions/current", phone.AccessToken)).StatusCode);

        var logout = await SendAsync(_a, HttpMethod.Post, "auth/logout", phone.AccessToken);

        Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync(_b, "auth/sessions/current", phone.AccessToken)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(_b, HttpMethod.Patch, "auth/sessions/current", phone.AccessToken, new { x = "y" })).StatusCode);
        Assert.False(await _redis.GetDatabase().KeyExistsAsync($"{_prefix}auth:session:{phone.SessionId}"));
        var remaining = await (await GetAsync(_b, "auth/sessions", laptop.AccessToken)).ReadAsync<List<SessionEndpoints.DeviceSession>>();
        Assert.Equal(["laptop"], remaining.Select(s => s.Device));
    }

    [Fact]
    public async Task IdleSession_ExpiresByThePlatformClock_WhileUseSlidesItsExpiry()
    {
        var token = await SignInAsync(_a, _provider, "dee@sync.test");
        var idle = await SignInAsync(_a, _provider, "dee@sync.test");

        _clock.Advance(TimeSpan.FromMinutes(20));
        var slid = await SendAsync(_b, HttpMethod.Post, "auth/token/refresh", null, new { refreshToken = token.RefreshToken });
        var fresh = await slid.ReadAsync<Apex.Platform.Auth.AuthEndpoints.TokenResponse>();
        _clock.Advance(TimeSpan.FromMinutes(20));

        var stillAlive = await SendAsync(_a, HttpMethod.Post, "auth/token/refresh", null, new { refreshToken = fresh.RefreshToken });
        var expired = await SendAsync(_a, HttpMethod.Post, "auth/token/refresh", null, new { refreshToken = idle.RefreshToken });
        Assert.Equal(HttpStatusCode.OK, slid.StatusCode);
        Assert.Equal(HttpStatusCode.OK, stillAlive.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, expired.StatusCode);
        Assert.Contains("session has ended", await expired.DetailAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SessionUpdate_WithUnacceptableAttributes_IsAValidationProblem_AndChangesNothing()
    {
        var token = await SignInAsync(_a, _provider, "eve@sync.test");

        var badName = await SendAsync(_b, HttpMethod.Patch, "auth/sessions/current", token.AccessToken, new Dictionary<string, string> { ["no spaces"] = "x", ["ok"] = "y" });
        var empty = await SendAsync(_b, HttpMethod.Patch, "auth/sessions/current", token.AccessToken, new Dictionary<string, string>());

        Assert.Equal(HttpStatusCode.BadRequest, badName.StatusCode);
        Assert.Contains("no spaces", await badName.Content.ReadAsStringAsync(Cancel), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        Assert.Empty((await (await GetAsync(_a, "auth/sessions/current", token.AccessToken)).ReadAsync<SessionEndpoints.CurrentSession>()).Attributes);
    }
}
