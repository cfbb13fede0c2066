using System.Net;
using Apex.Integration.Fakes;
using Apex.Integration.Infrastructure;
using Apex.Platform.Auth;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using static Apex.Integration.Authentication.AuthApi;

namespace Apex.Integration.Authentication;

/// <summary>
/// Plan item 5: the auth store (PostgreSQL, where users, roles and teams live) becomes unreachable
/// (a real network partition between the platform and a running PostgreSQL). Users whose access
/// was resolved recently keep working from the instance's cache behind a circuit breaker; others
/// get a clear 503; the breaker stops hammering the store, and once the store is back the first
/// probe after the break duration (on the platform's clock) closes it.
/// </summary>
[PlanItem(5)]
[BusinessValue("All tiers", "Stay available when the auth store fails",
    "High availability prevents $12K MRR downtime losses", "Graceful degradation keeps SLAs during database incidents")]
public sealed class AuthServiceFailoverTests(PostgresServer postgres, RedisServer redis) : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private FakeOAuthProvider _provider = null!;
    private TcpPartition _partition = null!;
    private PlatformInstance _platform = null!;

    public async ValueTask InitializeAsync()
    {
        _provider = await FakeOAuthProvider.StartNewAsync();
        var database = new NpgsqlConnectionStringBuilder(await postgres.CreateDatabaseAsync(nameof(AuthServiceFailoverTests)));
        var address = (await Dns.GetHostAddressesAsync(database.Host!, Cancel)).First();
        _partition = new TcpPartition(new IPEndPoint(address, database.Port));
        (database.Host, database.Port, database.Pooling, database.Timeout) = ("127.0.0.1", _partition.Port, false, 5);
        _platform = await PlatformInstance.StartAsync(new PlatformSettings(database.ConnectionString, redis.ConnectionString, RedisServer.NewKeyPrefix("item5"))
        {
            Services = ["auth"],
            Extra = new Dictionary<string, string?>(OAuthSettings(_provider))
            {
                ["Platform:Access:MinimumThroughput"] = "2",
                ["Platform:Access:BreakDuration"] = "00:00:30",
                ["Platform:Access:FallbackMaxAge"] = "00:05:00",
            },
        }, s => s.Replace(ServiceDescriptor.Singleton<TimeProvider>(_clock)));
    }

    public async ValueTask DisposeAsync()
    {
        await _platform.DisposeAsync();
        await _partition.DisposeAsync();
        await _provider.DisposeAsync();
    }

    [Fact]
    public async Task StoreDown_RecentlyResolvedUserKeepsAccessFromCache_OthersGet503_AndTheBreakerStopsCallingTheStore()
    {
        var (admin, member) = await TenantWithStaleCacheAsync("down.test");

        _partition.Cut();
        var cached = await AccessAsync(admin);
        var uncached = await GetAsync(_platform, "auth/permissions", member.AccessToken);
        var health = await HealthAsync();
        var attempts = _partition.ConnectionAttempts;
        var whileOpen = await AccessAsync(admin);

        Assert.Equal(("fallback", "admin"), (cached.Source, cached.Role));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, uncached.StatusCode);
        Assert.Contains("auth store is unavailable", await uncached.DetailAsync(), StringComparison.Ordinal);
        Assert.Equal("open", health);
        Assert.Equal("fallback", whileOpen.Source);
        Assert.Equal(attempts, _partition.ConnectionAttempts);
    }

    [Fact]
    public async Task StoreDown_CachedAccessOlderThanTheFallbackLimit_IsNotTrusted()
    {
        var (admin, _) = await TenantWithStaleCacheAsync("stale.test");
        _partition.Cut();
        Assert.Equal("fallback", (await AccessAsync(admin)).Source);

        _clock.Advance(TimeSpan.FromMinutes(6));
        var tooOld = await GetAsync(_platform, "auth/permissions", admin.AccessToken);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, tooOld.StatusCode);
    }

    [Fact]
    public async Task StoreBack_FirstProbeAfterTheBreakDuration_ClosesTheBreaker_AndEveryoneIsServedFromTheStore()
    {
        var (admin, member) = await TenantWithStaleCacheAsync("recovery.test");
        _partition.Cut();
        await AccessAsync(admin);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await GetAsync(_platform, "auth/permissions", member.AccessToken)).StatusCode);
        Assert.Equal("open", await HealthAsync());

        _partition.Heal();
        _clock.Advance(TimeSpan.FromSeconds(10));
        var beforeBreakEnds = await AccessAsync(admin);
        _clock.Advance(TimeSpan.FromSeconds(21));
        var probe = await AccessAsync(admin);

        Assert.Equal("fallback", beforeBreakEnds.Source);
        Assert.Equal("database", probe.Source);
        Assert.Equal("closed", await HealthAsync());
        var recovered = await AccessAsync(member);
        Assert.Equal(("database", "viewer"), (recovered.Source, recovered.Role));
    }

    /// <summary>
    /// A tenant whose admin's access is cached at version n, then a change makes it n+1: the next
    /// request has to ask the store, and finds out whether the store answers.
    /// </summary>
    private async Task<(AuthEndpoints.TokenResponse Admin, AuthEndpoints.TokenResponse Member)> TenantWithStaleCacheAsync(string domain)
    {
        var admin = await SignInAsync(_platform, _provider, $"root@{domain}");
        var member = await SignInAsync(_platform, _provider, $"user@{domain}");
        Assert.Equal("database", (await AccessAsync(admin)).Source);
        Assert.Equal("cache", (await AccessAsync(admin)).Source);
        Assert.Equal(HttpStatusCode.Created, (await SendAsync(_platform, HttpMethod.Post, "auth/admin/teams", admin.AccessToken, new { name = "ops" })).StatusCode);
        return (admin, member);
    }

    private async Task<Access> AccessAsync(AuthEndpoints.TokenResponse token)
    {
        var response = await GetAsync(_platform, "auth/permissions", token.AccessToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.ReadAsync<Access>();
    }

    private async Task<string> HealthAsync() => (await (await GetAsync(_platform, "health/auth", null)).ReadAsync<Health>()).AuthStore;

    private sealed record Access(string Role, string Source);

    private sealed record Health(string AuthStore);
}
