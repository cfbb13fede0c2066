using System.Net;
using System.Net.Http.Json;
using Apex.Integration.ErrorRecoveryResilience.Support;
using Apex.Integration.Infrastructure;
using Apex.Platform.Resilience.Chaos;
using static Apex.Integration.ErrorRecoveryResilience.Support.ResilienceApi;

namespace Apex.Integration.ErrorRecoveryResilience;

/// <summary>
/// Plan item 94: the storefront service calls a catalog API through a pipeline carrying Polly's
/// chaos strategies. The test switches injection at run time — added latency, cut connections,
/// error answers — and reads the impact monitor: each phase's availability and p95 latency (on
/// the fake clock) against the SLOs, breached while faults are injected, met again once the
/// injector is off, with the catalog receiving calls again.
/// </summary>
[PlanItem(94)]
[BusinessValue("Platform operations", "Resilience is proven by injected faults, not assumed",
    "Resilience validation worth $8K MRR confidence", "Known SLO impact of each failure mode guides where to invest in resilience")]
public sealed class FailureInjectionTests(PostgresServer postgres, RedisServer redis) : IAsyncLifetime
{
    private readonly ObservedClock _clock = new();
    private ScriptedDependency _catalog = null!;
    private PlatformInstance _storefront = null!;

    public async ValueTask InitializeAsync()
    {
        _catalog = await ScriptedDependency.StartNewAsync();
        var database = await postgres.CreateDatabaseAsync(nameof(FailureInjectionTests));
        _storefront = await StartServiceAsync(database, redis.ConnectionString, RedisServer.NewKeyPrefix("item94"), "storefront", _clock, new Dictionary<string, string?>
        {
            ["Platform:Resilience:Chaos:Enabled"] = "true",
            ["Platform:Resilience:Chaos:Catalog"] = _catalog.BaseAddress.ToString(),
            ["Platform:Resilience:Chaos:AvailabilityObjective"] = "0.99",
            ["Platform:Resilience:Chaos:LatencyObjective"] = "00:00:00.500",
        });
    }

    public async ValueTask DisposeAsync()
    {
        await _storefront.DisposeAsync();
        await _catalog.DisposeAsync();
    }

    [Fact]
    public async Task Injection_BreachesTheSlosWhileOn_AndTheyAreMetAgainOnceItIsOff()
    {
        var baseline = await CallTimesAsync(4);
        await SwitchAsync(new ChaosSettings(LatencyMs: 2_000, LatencyRate: 1));
        var slow = new[] { await CallDelayedAsync(TimeSpan.FromSeconds(2)), await CallDelayedAsync(TimeSpan.FromSeconds(2)) };
        await SwitchAsync(new ChaosSettings(FaultRate: 1, Fault: ChaosSettings.ConnectionCut));
        var callsBeforeCuts = _catalog.Requests;
        var cut = await CallTimesAsync(3);
        await SwitchAsync(new ChaosSettings(FaultRate: 1, Fault: ChaosSettings.ServerError));
        var errors = await CallTimesAsync(2);
        var callsDuringFaults = _catalog.Requests - callsBeforeCuts;
        await SwitchAsync(ChaosSettings.Off);
        var recovered = await CallTimesAsync(4);

        var phases = (await _storefront.GetJsonAsync<List<PhaseReport>>("resilience/slo")).Body;
        Assert.All(baseline.Concat(slow).Concat(recovered), s => Assert.Equal(HttpStatusCode.OK, s));
        Assert.All(cut.Concat(errors), s => Assert.Equal(HttpStatusCode.ServiceUnavailable, s));
        Assert.Equal(0, callsDuringFaults);
        Assert.Equal(["baseline", "latency 2000 ms x1, connection-cut x0", "latency 0 ms x0, connection-cut x1", "latency 0 ms x0, server-error x1", "off"],
            phases.Select(p => p.Label));
        Assert.Equal((4, true, true), (phases[0].Calls, phases[0].AvailabilityMet, phases[0].LatencyMet));
        Assert.Equal((2, 2_000.0, true, false), (phases[1].Calls, phases[1].P95LatencyMs, phases[1].AvailabilityMet, phases[1].LatencyMet));
        Assert.Equal((3, 0.0, false), (phases[2].Calls, phases[2].Availability, phases[2].AvailabilityMet));
        Assert.Equal((2, 0.0, false), (phases[3].Calls, phases[3].Availability, phases[3].AvailabilityMet));
        Assert.Equal((4, 1.0, true, true), (phases[4].Calls, phases[4].Availability, phases[4].AvailabilityMet, phases[4].LatencyMet));
    }

    [Fact]
    public async Task Injection_IsRefused_WhenTheSettingsAreOutOfRange()
    {
        using var response = await _storefront.Client.PutAsJsonAsync("resilience/chaos", new ChaosSettings(FaultRate: 1.5), Cancel);
        var (_, current) = await _storefront.GetJsonAsync<ChaosSettings>("resilience/chaos");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True(current.IsOff);
    }

    private async Task SwitchAsync(ChaosSettings settings)
    {
        using var response = await _storefront.Client.PutAsJsonAsync("resilience/chaos", settings, Cancel);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private async Task<List<HttpStatusCode>> CallTimesAsync(int times)
    {
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < times; i++)
        {
            using var response = await _storefront.Client.GetAsync("resilience/catalog", Cancel);
            statuses.Add(response.StatusCode);
        }

        return statuses;
    }

    /// <summary>One call held by injected latency: waits for its timer on the fake clock, then lets the time pass.</summary>
    private async Task<HttpStatusCode> CallDelayedAsync(TimeSpan latency)
    {
        var timers = _clock.TimersCreated;
        var call = _storefront.Client.GetAsync("resilience/catalog", Cancel);
        await Eventually.TrueAsync(() => Task.FromResult(_clock.TimersCreated > timers));
        _clock.Advance(latency);
        using var response = await call;
        return response.StatusCode;
    }
}
