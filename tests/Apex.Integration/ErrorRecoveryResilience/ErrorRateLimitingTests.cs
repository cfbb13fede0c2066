using System.Net;
using System.Net.Http.Json;
using Apex.Integration.ErrorRecoveryResilience.Support;
using Apex.Integration.Infrastructure;
using Apex.Platform.Resilience.ErrorRates;
using Microsoft.Extensions.Time.Testing;
using static Apex.Integration.ErrorRecoveryResilience.Support.ResilienceApi;

namespace Apex.Integration.ErrorRecoveryResilience;

/// <summary>
/// Plan item 92: the notifications service sends through an external provider that the test makes
/// fail. Below the error-rate threshold every request is served; at the threshold, sending is shed
/// at once (503 with Retry-After, the provider no longer called) and one alert reaches the on-call
/// pager; after the shed period on the fake clock a probe succeeds, service resumes and the alert
/// is resolved.
/// </summary>
[PlanItem(92)]
[BusinessValue("All tiers", "An error storm is contained and paged instead of amplified",
    "Stability worth $5K MRR error storm prevention", "Shedding failing work protects providers, quotas and the rest of the platform")]
public sealed class ErrorRateLimitingTests(PostgresServer postgres, RedisServer redis) : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private ScriptedDependency _provider = null!;
    private FakePager _pager = null!;
    private PlatformInstance _notifications = null!;

    public async ValueTask InitializeAsync()
    {
        (_provider, _pager) = (await ScriptedDependency.StartNewAsync(), await FakePager.StartNewAsync());
        var database = await postgres.CreateDatabaseAsync(nameof(ErrorRateLimitingTests));
        _notifications = await StartServiceAsync(database, redis.ConnectionString, RedisServer.NewKeyPrefix("item92"), "notifications", _clock, new Dictionary<string, string?>
        {
            ["Platform:Resilience:ErrorRate:Provider"] = _provider.BaseAddress.ToString(),
            ["Platform:Resilience:ErrorRate:AlertWebhook"] = _pager.Webhook.ToString(),
            ["Platform:Resilience:ErrorRate:Threshold"] = "0.5",
            ["Platform:Resilience:ErrorRate:MinimumCalls"] = "10",
            ["Platform:Resilience:ErrorRate:ShedFor"] = "00:00:30",
        });
    }

    public async ValueTask DisposeAsync()
    {
        await _notifications.DisposeAsync();
        await _pager.DisposeAsync();
        await _provider.DisposeAsync();
    }

    [Fact]
    public async Task Send_KeepsServing_WithoutAlert_WhenTheErrorRateStaysBelowTheThreshold()
    {
        var outcomes = new List<HttpStatusCode>();
        for (var i = 0; i < 12; i++)
        {
            _provider.Mode = i % 3 == 0 ? DependencyMode.Failing : DependencyMode.Healthy;
            outcomes.Add(await SendAsync());
        }

        Assert.Equal(4, outcomes.Count(s => s == HttpStatusCode.BadGateway));
        Assert.Equal(8, outcomes.Count(s => s == HttpStatusCode.Accepted));
        Assert.Equal(12, _provider.Requests);
        Assert.Empty(_pager.Alerts);
    }

    [Fact]
    public async Task Send_IsShedWithOneAlert_AboveTheThreshold_AndResumesWithTheAlertResolved()
    {
        _provider.Mode = DependencyMode.Failing;
        var failing = new List<HttpStatusCode>();
        for (var i = 0; i < 10; i++) failing.Add(await SendAsync());
        var shed = new List<HttpResponseMessage>();
        for (var i = 0; i < 5; i++) shed.Add(await _notifications.Client.PostAsJsonAsync("resilience/notifications", new NotificationRequest("a@b.test", "hi"), Cancel));
        var callsWhileShed = _provider.Requests;
        var alertsWhileShed = _pager.Alerts.Count;

        _provider.Mode = DependencyMode.Healthy;
        _clock.Advance(TimeSpan.FromSeconds(31));
        var resumed = new[] { await SendAsync(), await SendAsync() };

        Assert.All(failing, s => Assert.Equal(HttpStatusCode.BadGateway, s));
        Assert.All(shed, r => Assert.Equal(HttpStatusCode.ServiceUnavailable, r.StatusCode));
        Assert.All(shed, r => Assert.InRange(int.Parse(r.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture), 1, 30));
        Assert.Equal(10, callsWhileShed);
        Assert.Equal(1, alertsWhileShed);
        Assert.All(resumed, s => Assert.Equal(HttpStatusCode.Accepted, s));
        Assert.Equal(["firing", "resolved"], _pager.Alerts.Select(a => a.GetProperty("status").GetString()));
        Assert.All(_pager.Alerts, a => Assert.Equal("notifications", a.GetProperty("service").GetString()));
    }

    private async Task<HttpStatusCode> SendAsync()
    {
        using var response = await _notifications.Client.PostAsJsonAsync("resilience/notifications", new NotificationRequest("a@b.test", "hi"), Cancel);
        return response.StatusCode;
    }
}
