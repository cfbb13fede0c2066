using System.Net;
using Apex.Integration.ErrorRecoveryResilience.Support;
using Apex.Integration.Fakes;
using Apex.Integration.Infrastructure;
using Apex.Platform.Resilience.Circuits;
using Microsoft.Extensions.Time.Testing;
using static Apex.Integration.ErrorRecoveryResilience.Support.ResilienceApi;

namespace Apex.Integration.ErrorRecoveryResilience;

/// <summary>
/// Plan item 86: three services in a chain (a → b → c → an external ledger API), each hop calling
/// the next over real HTTP through its own Polly circuit breaker; the link b → c runs through a TCP
/// relay the test can cut. A failing leaf opens only the deepest breaker; the callers keep theirs
/// closed and serve a degraded answer; recovery closes the breakers from the deepest up.
/// </summary>
[PlanItem(86)]
[BusinessValue("All tiers", "One failing dependency never takes the whole product down",
    "Failure isolation worth $10K MRR cascade prevention", "Contained incidents keep SLAs for every feature that did not fail")]
public sealed class CircuitBreakerCascadeTests(PostgresServer postgres, RedisServer redis) : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private ScriptedDependency _ledger = null!;
    private TcpPartition _linkBc = null!;
    private PlatformInstance _a = null!;
    private PlatformInstance _b = null!;
    private PlatformInstance _c = null!;

    public async ValueTask InitializeAsync()
    {
        _ledger = await ScriptedDependency.StartNewAsync();
        var database = await postgres.CreateDatabaseAsync(nameof(CircuitBreakerCascadeTests));
        var prefix = RedisServer.NewKeyPrefix("item86");
        _c = await StartServiceAsync(database, redis.ConnectionString, prefix, "c", _clock, Hop(_ledger.BaseAddress, "ledger-api", isHop: false));
        _linkBc = new TcpPartition(new IPEndPoint(IPAddress.Loopback, _c.BaseAddress.Port));
        _b = await StartServiceAsync(database, redis.ConnectionString, prefix, "b", _clock, Hop(new Uri($"http://127.0.0.1:{_linkBc.Port}/"), "c", isHop: true));
        _a = await StartServiceAsync(database, redis.ConnectionString, prefix, "a", _clock, Hop(_b.BaseAddress, "b", isHop: true));
    }

    public async ValueTask DisposeAsync()
    {
        await _a.DisposeAsync();
        await _b.DisposeAsync();
        await _linkBc.DisposeAsync();
        await _c.DisposeAsync();
        await _ledger.DisposeAsync();
    }

    [Fact]
    public async Task ChainCall_OpensOnlyTheDeepestBreaker_WhenTheLeafDependencyFails()
    {
        _ledger.Mode = DependencyMode.Failing;

        var failures = await CallTimesAsync(4);
        var (response, degraded) = await _a.GetJsonAsync<ChainAnswer>("resilience/chain");

        Assert.All(failures, f => Assert.Equal((HttpStatusCode.ServiceUnavailable, "ledger-api"), f));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(("degraded", "c"), (degraded.Status, degraded.DegradedBy));
        Assert.Equal([new HopReport("c", "open", "open"), new HopReport("b", "closed", "closed"), new HopReport("a", "closed", "closed")], degraded.Hops);
        Assert.Equal(4, _ledger.Requests);
        Assert.Equal(["open", "closed", "closed"], [await StateAsync(_c, "c->ledger-api"), await StateAsync(_b, "b->c"), await StateAsync(_a, "a->b")]);
        Assert.DoesNotContain(await HistoryAsync(_b), t => t.State == "open");
        Assert.DoesNotContain(await HistoryAsync(_a), t => t.State == "open");
    }

    [Fact]
    public async Task ChainCall_ClosesTheBreakersDeepestFirst_WhenTheDependencyAndTheLinkRecover()
    {
        _ledger.Mode = DependencyMode.Failing;
        await CallTimesAsync(4);
        _linkBc.Cut();
        var linkFailures = await CallTimesAsync(4);
        var (_, whileBothOpen) = await _a.GetJsonAsync<ChainAnswer>("resilience/chain");

        _ledger.Mode = DependencyMode.Healthy;
        _linkBc.Heal();
        _clock.Advance(TimeSpan.FromSeconds(31));
        var (response, recovered) = await _a.GetJsonAsync<ChainAnswer>("resilience/chain");

        Assert.All(linkFailures, f => Assert.Equal((HttpStatusCode.ServiceUnavailable, "c"), f));
        Assert.Equal(("degraded", "b"), (whileBothOpen.Status, whileBothOpen.DegradedBy));
        Assert.Equal((HttpStatusCode.OK, "full"), (response.StatusCode, recovered.Status));
        Assert.Equal(["c", "b", "a"], recovered.Hops.Select(h => h.Service));
        Assert.All(recovered.Hops, h => Assert.Equal("closed", h.CircuitAfter));
        Assert.Equal(["open", "half-open", "closed"], (await HistoryAsync(_c)).Select(t => t.State));
        Assert.Equal(["open", "half-open", "closed"], (await HistoryAsync(_b)).Select(t => t.State));
        Assert.Empty(await HistoryAsync(_a));
    }

    private static Dictionary<string, string?> Hop(Uri downstream, string name, bool isHop) => new()
    {
        ["Platform:Resilience:Chain:Downstream"] = downstream.ToString(),
        ["Platform:Resilience:Chain:DownstreamName"] = name,
        ["Platform:Resilience:Chain:DownstreamIsHop"] = isHop.ToString(),
        ["Platform:Resilience:Chain:Path"] = isHop ? "resilience/chain" : "orders",
        ["Platform:Resilience:Chain:MinimumThroughput"] = "4",
        ["Platform:Resilience:Chain:FailureRatio"] = "0.5",
        ["Platform:Resilience:Chain:BreakDuration"] = "00:00:30",
    };

    private async Task<List<(HttpStatusCode, string)>> CallTimesAsync(int times)
    {
        var answers = new List<(HttpStatusCode, string)>();
        for (var i = 0; i < times; i++)
        {
            using var response = await _a.Client.GetAsync("resilience/chain", Cancel);
            answers.Add((response.StatusCode, response.Headers.TryGetValues(CascadeDetector.OriginHeader, out var origin) ? origin.Single() : "-"));
        }

        return answers;
    }

    private static async Task<string> StateAsync(PlatformInstance service, string circuit) =>
        (await service.GetJsonAsync<CircuitChainEndpoints.CircuitsResponse>("resilience/circuits")).Body.Circuits.Single(c => c.Name == circuit).State;

    private static async Task<IReadOnlyList<CircuitTransition>> HistoryAsync(PlatformInstance service) =>
        (await service.GetJsonAsync<CircuitChainEndpoints.CircuitsResponse>("resilience/circuits")).Body.History;
}
