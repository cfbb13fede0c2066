using System.Net;
using System.Text.Json;
using Apex.Integration.Fakes;
using Apex.Integration.Infrastructure;
using Apex.Platform.Auth;
using Apex.Platform.Auth.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using static Apex.Integration.Authentication.AuthApi;

namespace Apex.Integration.Authentication;

/// <summary>
/// Plan item 11: each user gets the request rate of their tenant's tier, counted in Redis so the
/// limit holds across instances. Past it: 429 with Retry-After and a problem naming the tier and
/// the limit. An upgrade, or an operator changing a tier's limit, applies on the next request.
/// </summary>
[PlanItem(11)]
[BusinessValue("Free, Pro and Enterprise", "Fair usage that differentiates the tiers",
    "Fair usage worth $10K MRR tier differentiation", "Tier limits are what makes upgrading worth paying for")]
public sealed class RateLimitPerTierTests(RateLimitPerTierTests.Host host) : IClassFixture<RateLimitPerTierTests.Host>
{
    private readonly FakeTimeProvider _clock = host.Clock;
    private readonly FakeOAuthProvider _provider = host.Provider;
    private readonly PlatformInstance _a = host.A;
    private readonly PlatformInstance _b = host.B;

    public sealed class Host(PostgresServer postgres, RedisServer redis) : ClassHost(postgres, redis)
    {
        protected override string Owner => "item11";

        protected override string[] Services => ["auth", "backend"];

        protected override bool TwoInstances => true;

        protected override Task<Dictionary<string, string?>> ExtraSettingsAsync() => Task.FromResult(new Dictionary<string, string?>
        {
            ["Platform:RateLimits:Tiers:free"] = "3",
            ["Platform:RateLimits:Tiers:pro"] = "6",
            ["Platform:RateLimits:Tiers:enterprise"] = "10",
        });
    }

    [Fact]
    public async Task FreeTier_GetsItsLimit_ThenA429ThatSaysWhichLimitAndWhenToRetry()
    {
        var user = await SignInAsync(_a, _provider, "fred@free.test");

        var allowed = new List<string>();
        for (var i = 0; i < 3; i++) allowed.Add((await GetAsync(_a, "api/me", user.AccessToken)).Headers.GetValues("X-RateLimit-Remaining").Single());
        var refused = await GetAsync(_a, "api/me", user.AccessToken);

        Assert.Equal(["2", "1", "0"], allowed);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        var problem = await refused.ReadAsync<JsonElement>();
        Assert.Contains("free tier allows 3", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(3, problem.GetProperty("limit").GetInt32());
        Assert.InRange(int.Parse(refused.Headers.RetryAfter!.ToString(), System.Globalization.CultureInfo.InvariantCulture), 1, 60);
    }

    [Fact]
    public async Task TheLimitIsOneLimitAcrossInstances_AndPerUser()
    {
        var user = await SignInAsync(_a, _provider, "gil@shared.test");
        var colleague = await SignInAsync(_a, _provider, "hue@shared.test");

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++) statuses.Add((await GetAsync(i % 2 == 0 ? _a : _b, "api/me", user.AccessToken)).StatusCode);

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], statuses);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(_b, "api/me", colleague.AccessToken)).StatusCode);
    }

    [Fact]
    public async Task ExhaustedQuota_ComesBackWithTheNextWindowOfThePlatformClock()
    {
        var user = await SignInAsync(_a, _provider, "ida@window.test");
        await ExhaustAsync(user, 3);
        var refused = await GetAsync(_a, "api/me", user.AccessToken);

        _clock.Advance(TimeSpan.FromSeconds(int.Parse(refused.Headers.RetryAfter!.ToString(), System.Globalization.CultureInfo.InvariantCulture)));

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(_a, "api/me", user.AccessToken)).StatusCode);
    }

    [Fact]
    public async Task TierUpgrade_RaisesTheLimitOnTheVeryNextRequest()
    {
        var user = await SignInAsync(_a, _provider, "jan@upgrade.test");
        await ExhaustAsync(user, 3);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await GetAsync(_a, "api/me", user.AccessToken)).StatusCode);

        await _a.Services.GetRequiredService<TenantTiers>().SetAsync(user.TenantId, "pro", Cancel);

        var afterUpgrade = await GetAsync(_b, "api/me", user.AccessToken);
        Assert.Equal(HttpStatusCode.OK, afterUpgrade.StatusCode);
        Assert.Equal("6", afterUpgrade.Headers.GetValues("X-RateLimit-Limit").Single());
        Assert.Equal("pro", (await (await GetAsync(_b, "auth/permissions", user.AccessToken)).ReadAsync<JsonElement>()).GetProperty("tier").GetString());
    }

    [Fact]
    public async Task OperatorChangesATiersLimitLive_AndEveryInstanceObeysIt()
    {
        var user = await SignInAsync(_a, _provider, "kit@live.test");
        await ExhaustAsync(user, 3);

        var limiter = _a.Services.GetRequiredService<RedisRateLimiter>();
        await limiter.SetTierLimitAsync("free", 5);

        var statuses = new List<HttpStatusCode>();
        try
        {
            for (var i = 0; i < 3; i++) statuses.Add((await GetAsync(_b, "api/me", user.AccessToken)).StatusCode);
        }
        finally
        {
            // The class shares one Redis prefix: the other tests expect the configured free limit.
            await limiter.SetTierLimitAsync("free", 3);
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], statuses);
    }

    private async Task ExhaustAsync(AuthEndpoints.TokenResponse user, int limit)
    {
        for (var i = 0; i < limit; i++) Assert.Equal(HttpStatusCode.OK, (await GetAsync(_a, "api/me", user.AccessToken)).StatusCode);
    }
}
