using System.Net;
using Apex.Integration.ErrorRecoveryResilience.Support;
using Apex.Integration.Infrastructure;
using Apex.Platform.Resilience.Deadlines;
using static Apex.Integration.ErrorRecoveryResilience.Support.ResilienceApi;

namespace Apex.Integration.ErrorRecoveryResilience;

/// <summary>
/// Plan item 91: checkout (hop a) calls pricing (hop b), which calls an external pricing API;
/// checkout also calls a recommendations API and an inventory API. A request's remaining time
/// budget travels in a header; each hop refuses work it cannot finish in time instead of starting
/// it, and stops waiting at the deadline (on the fake clock). Each dependency sits behind its own
/// bulkhead, so a hanging recommendations API cannot take the requests that need inventory.
/// </summary>
[PlanItem(91)]
[BusinessValue("All tiers", "A slow dependency never slows or stalls the requests that do not need it",
    "Stability worth $7K MRR system resilience", "Deadlines and bulkheads stop timeouts from cascading into outages")]
public sealed class TimeoutCascadePreventionTests(PostgresServer postgres, RedisServer redis) : IAsyncLifetime
{
    private readonly ObservedClock _clock = new();
    private ScriptedDependency _pricingApi = null!;
    private ScriptedDependency _recommendations = null!;
    private ScriptedDependency _inventory = null!;
    private PlatformInstance _pricing = null!;
    private PlatformInstance _checkout = null!;

    public async ValueTask InitializeAsync()
    {
        (_pricingApi, _recommendations, _inventory) = (await ScriptedDependency.StartNewAsync(), await ScriptedDependency.StartNewAsync(), await ScriptedDependency.StartNewAsync());
        var database = await postgres.CreateDatabaseAsync(nameof(TimeoutCascadePreventionTests));
        var prefix = RedisServer.NewKeyPrefix("item91");
        _pricing = await StartServiceAsync(database, redis.ConnectionString, prefix, "pricing", _clock, new Dictionary<string, string?>
        {
            ["Platform:Resilience:Deadlines:WorkCost"] = "00:00:00.400",
            ["Platform:Resilience:Deadlines:Dependencies:0:Name"] = "pricing-api",
            ["Platform:Resilience:Deadlines:Dependencies:0:Url"] = _pricingApi.BaseAddress.ToString(),
            ["Platform:Resilience:Deadlines:Dependencies:0:Path"] = "prices",
        });
        _checkout = await StartServiceAsync(database, redis.ConnectionString, prefix, "checkout", _clock, CheckoutSettings());
    }

    /// <summary>Checkout calls pricing (which calls the pricing API), recommendations and inventory, two at a time.</summary>
    private Dictionary<string, string?> CheckoutSettings() => new()
    {
        ["Platform:Resilience:Deadlines:WorkCost"] = "00:00:00.100",
        ["Platform:Resilience:Deadlines:ReserveForReply"] = "00:00:00.050",
        ["Platform:Resilience:Deadlines:BulkheadPermits"] = "2",
        ["Platform:Resilience:Deadlines:Dependencies:0:Name"] = "pricing",
        ["Platform:Resilience:Deadlines:Dependencies:0:Url"] = _pricing.BaseAddress.ToString(),
        ["Platform:Resilience:Deadlines:Dependencies:0:Path"] = "resilience/deadline/work?dependency=pricing-api",
        ["Platform:Resilience:Deadlines:Dependencies:1:Name"] = "recommendations",
        ["Platform:Resilience:Deadlines:Dependencies:1:Url"] = _recommendations.BaseAddress.ToString(),
        ["Platform:Resilience:Deadlines:Dependencies:2:Name"] = "inventory",
        ["Platform:Resilience:Deadlines:Dependencies:2:Url"] = _inventory.BaseAddress.ToString(),
    };

    public async ValueTask DisposeAsync()
    {
        _recommendations.Release();
        _pricingApi.Release();
        await _checkout.DisposeAsync();
        await _pricing.DisposeAsync();
        foreach (var dependency in new[] { _pricingApi, _recommendations, _inventory }) await dependency.DisposeAsync();
    }

    [Fact]
    public async Task Work_IsRefusedWhereTheBudgetRunsOut_WithoutCallingTheDependency()
    {
        var (tooLittleForPricing, refusedByPricing) = await WorkAsync("pricing", budgetMs: 300);
        var (tooLittleForCheckout, refusedByCheckout) = await WorkAsync("pricing", budgetMs: 80);
        var callsWhileRefusing = _pricingApi.Requests;
        var (enough, done) = await WorkAsync("pricing", budgetMs: 1_000);

        Assert.Equal((HttpStatusCode.GatewayTimeout, "refused", "pricing", 250L), (tooLittleForPricing, refusedByPricing.Status, refusedByPricing.By, refusedByPricing.RemainingMs));
        Assert.Contains("needs 400 ms and has 250 ms left", refusedByPricing.Detail, StringComparison.Ordinal);
        Assert.Equal((HttpStatusCode.GatewayTimeout, "refused", "checkout"), (tooLittleForCheckout, refusedByCheckout.Status, refusedByCheckout.By));
        Assert.Equal(0, callsWhileRefusing);
        Assert.Equal((HttpStatusCode.OK, "done"), (enough, done.Status));
        Assert.Equal(1, _pricingApi.Requests);
    }

    [Fact]
    public async Task Work_StopsWaitingAtTheDeadline_AndReleasesTheSlowCall()
    {
        _pricingApi.Mode = DependencyMode.Hold;
        var timers = _clock.TimersCreated;
        var pending = WorkAsync("pricing", budgetMs: 1_000);
        await Eventually.TrueAsync(() => Task.FromResult(_pricingApi.Held == 1 && _clock.TimersCreated >= timers + 2));

        _clock.Advance(TimeSpan.FromMilliseconds(951));
        var (status, answer) = await pending;

        Assert.Equal((HttpStatusCode.GatewayTimeout, "timed-out", "pricing", "pricing-api"), (status, answer.Status, answer.By, answer.Dependency));
        await Eventually.TrueAsync(() => Task.FromResult(_pricingApi.Held == 0));
    }

    [Fact]
    public async Task Bulkhead_RejectsAtOnceAndOtherDependenciesKeepServing_WhenOneDependencyHangs()
    {
        _recommendations.Mode = DependencyMode.Hold;
        var hanging = new[] { WorkAsync("recommendations", budgetMs: 60_000), WorkAsync("recommendations", budgetMs: 60_000) };
        await Eventually.TrueAsync(() => Task.FromResult(_recommendations.Held == 2));

        var (overflow, rejected) = await WorkAsync("recommendations", budgetMs: 60_000);
        var (inventory, served) = await WorkAsync("inventory", budgetMs: 60_000);
        var stillHanging = hanging.Count(t => !t.IsCompleted);
        _recommendations.Release();
        var released = await Task.WhenAll(hanging);

        Assert.Equal((HttpStatusCode.ServiceUnavailable, "rejected"), (overflow, rejected.Status));
        Assert.Contains("bulkhead for recommendations is full", rejected.Detail, StringComparison.Ordinal);
        Assert.Equal((HttpStatusCode.OK, "done"), (inventory, served.Status));
        Assert.Equal(2, stillHanging);
        Assert.Equal(2, _recommendations.Requests);
        Assert.All(released, r => Assert.Equal(HttpStatusCode.OK, r.Status));
    }

    private async Task<(HttpStatusCode Status, DeadlineAnswer Answer)> WorkAsync(string dependency, long budgetMs)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"resilience/deadline/work?dependency={dependency}");
        request.Headers.Add(RequestDeadline.Header, budgetMs.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var response = await _checkout.Client.SendAsync(request, Cancel);
        return (response.StatusCode, await response.ReadJsonAsync<DeadlineAnswer>());
    }
}
