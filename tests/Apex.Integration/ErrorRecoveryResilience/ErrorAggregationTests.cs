using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Apex.Integration.Authentication;
using Apex.Integration.ErrorRecoveryResilience.Support;
using Apex.Integration.Fakes;
using Apex.Integration.Infrastructure;
using Apex.Platform.Resilience.Errors;
using Microsoft.Extensions.Time.Testing;
using static Apex.Integration.ErrorRecoveryResilience.Support.ResilienceApi;

namespace Apex.Integration.ErrorRecoveryResilience;

/// <summary>
/// Plan item 88: two services (orders, reports) call a failing external API and a browser reports
/// its own error; every occurrence is collected into one PostgreSQL store, fingerprinted so that
/// the same cause with different order numbers is one group (count, services, first and last seen
/// on the platform's clock), and reported and analysed through endpoints an operator reads after
/// signing in through the real OAuth login.
/// </summary>
[PlanItem(88)]
[BusinessValue("All tiers", "Engineers see each failure cause once, with its reach and its history",
    "Visibility worth $5K MRR debugging efficiency", "Faster diagnosis shortens every incident")]
public sealed class ErrorAggregationTests(PostgresServer postgres, RedisServer redis) : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 25, 9, 0, 0, TimeSpan.Zero));
    private ScriptedDependency _catalog = null!;
    private FakeOAuthProvider _identity = null!;
    private PlatformInstance _orders = null!;
    private PlatformInstance _reports = null!;

    public async ValueTask InitializeAsync()
    {
        _catalog = await ScriptedDependency.StartNewAsync();
        _identity = await FakeOAuthProvider.StartNewAsync();
        var database = await postgres.CreateDatabaseAsync(nameof(ErrorAggregationTests));
        var prefix = RedisServer.NewKeyPrefix("item88");
        var chain = new Dictionary<string, string?>(AuthApi.OAuthSettings(_identity))
        {
            ["Platform:Resilience:Chain:Downstream"] = _catalog.BaseAddress.ToString(),
            ["Platform:Resilience:Chain:DownstreamName"] = "catalog-api",
            ["Platform:Resilience:Chain:Path"] = "items",
            ["Platform:Resilience:Chain:MinimumThroughput"] = "1000",
        };
        _orders = await StartServiceAsync(database, redis.ConnectionString, prefix, "orders", _clock, chain, "auth", "resilience");
        _reports = await StartServiceAsync(database, redis.ConnectionString, prefix, "reports", _clock, chain);
    }

    public async ValueTask DisposeAsync()
    {
        await _reports.DisposeAsync();
        await _orders.DisposeAsync();
        await _identity.DisposeAsync();
        await _catalog.DisposeAsync();
    }

    [Fact]
    public async Task ErrorReport_GroupsOneCauseAcrossServices_WithCountAndFirstAndLastSeen()
    {
        var token = (await AuthApi.SignInAsync(_orders, _identity, "oncall@errors.test")).AccessToken;
        var start = _clock.GetUtcNow();
        _catalog.Mode = DependencyMode.Failing;
        await CallAsync(_orders, _orders, _reports);
        _clock.Advance(TimeSpan.FromMinutes(3));
        await CallAsync(_reports);
        _catalog.Mode = DependencyMode.Unreachable;
        await CallAsync(_orders);
        using var reported = await SendAsync(HttpMethod.Post, "resilience/errors", token,
            new ErrorEndpoints.ClientErrorReport("web", "TypeError", "Cannot read properties of undefined (reading 'total')", "checkout.js"));

        var groups = await (await SendAsync(HttpMethod.Get, "resilience/errors", token)).ReadJsonAsync<List<ErrorGroup>>();

        Assert.Equal(HttpStatusCode.Accepted, reported.StatusCode);
        Assert.Equal(3, groups.Count);
        var upstream = groups[0];
        Assert.Equal((4L, "catalog-api failed: catalog-api answered {n}: order {n} failed: upstream timeout after {n} ms"), (upstream.Occurrences, upstream.Template));
        Assert.Equal(["orders", "reports"], upstream.Services.Order());
        Assert.Equal((start, start.AddMinutes(3)), (upstream.FirstSeen, upstream.LastSeen));
        Assert.Single(groups, g => g.Services.SequenceEqual(["orders"]) && g.Occurrences == 1 && g.Kind == "DependencyFailure");
        Assert.Single(groups, g => g.Services.SequenceEqual(["web"]) && g.Kind == "TypeError");
    }

    [Fact]
    public async Task ErrorAnalysis_NamesTheTopAndCrossServiceCauses_AndOnlyRecentOnesAsActive()
    {
        _catalog.Mode = DependencyMode.Failing;
        await CallAsync(_orders, _reports, _reports);
        _clock.Advance(TimeSpan.FromMinutes(30));
        _catalog.Mode = DependencyMode.Unreachable;
        await CallAsync(_reports);
        var token = (await AuthApi.SignInAsync(_orders, _identity, "sre@errors.test")).AccessToken;

        var analysis = await (await SendAsync(HttpMethod.Get, "resilience/errors/analysis?activeMinutes=15", token)).ReadJsonAsync<ErrorAnalysis>();
        var groups = await (await SendAsync(HttpMethod.Get, "resilience/errors", token)).ReadJsonAsync<List<ErrorGroup>>();
        using var anonymous = await _orders.Client.GetAsync("resilience/errors", Cancel);

        var upstream = groups.Single(g => g.Occurrences == 3);
        var unreachable = groups.Single(g => g.Occurrences == 1);
        Assert.Equal((2, 4L, upstream.Fingerprint), (analysis.Groups, analysis.Occurrences, analysis.TopFingerprint));
        Assert.Equal([upstream.Fingerprint], analysis.CrossService);
        Assert.Equal([unreachable.Fingerprint], analysis.Active);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }

    private static async Task CallAsync(params PlatformInstance[] services)
    {
        foreach (var service in services)
        {
            using var response = await service.Client.GetAsync("resilience/chain", Cancel);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        }
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string token, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (body is not null) request.Content = JsonContent.Create(body);
        return await _reports.Client.SendAsync(request, Cancel);
    }
}
