using System.Net;
using Apex.Integration.ErrorRecoveryResilience.Support;
using Apex.Integration.Fakes;
using Apex.Integration.Infrastructure;
using Apex.Platform.Resilience.Health;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using static Apex.Integration.ErrorRecoveryResilience.Support.ResilienceApi;

namespace Apex.Integration.ErrorRecoveryResilience;

/// <summary>
/// Plan item 90: three services — orders (PostgreSQL and Redis behind TCP relays the test can cut),
/// analytics (ClickHouse behind a proxy) and the dashboard — each run ASP.NET Core health checks
/// for their stores; the dashboard reads the others' reports over HTTP and shows one fleet status.
/// A lost cache or analytics store makes the fleet Degraded; lost PostgreSQL or a silent service
/// makes it Unhealthy; recovery shows as Healthy again.
/// </summary>
[PlanItem(90)]
[BusinessValue("Platform operations", "Operators see the whole fleet's health, and how bad it is, in one place",
    "Monitoring worth $6K MRR operational awareness", "Degraded and down told apart route incidents to the right urgency")]
public sealed class HealthCheckPropagationTests(PostgresServer postgres, RedisServer redis, ClickHouseServer clickhouse) : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private TcpPartition _ordersPostgres = null!;
    private TcpPartition _ordersRedis = null!;
    private FaultyHttpProxy _analyticsClickHouse = null!;
    private PlatformInstance _orders = null!;
    private PlatformInstance? _analytics;
    private PlatformInstance _dashboard = null!;

    public async ValueTask InitializeAsync()
    {
        var database = await postgres.CreateDatabaseAsync(nameof(HealthCheckPropagationTests));
        var prefix = RedisServer.NewKeyPrefix("item90");
        var direct = new NpgsqlConnectionStringBuilder(database);
        _ordersPostgres = new TcpPartition(await EndpointAsync(direct.Host!, direct.Port));
        var redisAddress = redis.ConnectionString.Split(',')[0];
        _ordersRedis = new TcpPartition(await EndpointAsync(redisAddress[..redisAddress.LastIndexOf(':')], int.Parse(redisAddress[(redisAddress.LastIndexOf(':') + 1)..])));
        var viaRelay = new NpgsqlConnectionStringBuilder(database) { Host = "127.0.0.1", Port = _ordersPostgres.Port, Pooling = false, Timeout = 5 };
        // The Redis check's PINGs do not observe the check's timeout: with the relay cut they wait in
        // StackExchange.Redis's backlog for its sync/async timeout (5 s each by default, the report
        // said "(5000ms)"), so every report of the cut cache took about 6 s. One second keeps those
        // reports short; a PING on loopback answers far inside it while the relay is whole.
        var ordersRedis = $"127.0.0.1:{_ordersRedis.Port},syncTimeout=1000,asyncTimeout=1000";
        _orders = await StartServiceAsync(viaRelay.ConnectionString, ordersRedis, prefix, "orders", _clock, new Dictionary<string, string?>());
        _analyticsClickHouse = await FaultyHttpProxy.StartNewAsync(clickhouse.Endpoint);
        _analytics = await StartServiceAsync(database, redis.ConnectionString, prefix, "analytics", _clock, new Dictionary<string, string?>
        {
            ["Platform:ClickHouse:Endpoint"] = _analyticsClickHouse.BaseAddress.ToString(),
            ["Platform:ClickHouse:Database"] = await clickhouse.CreateDatabaseAsync(nameof(HealthCheckPropagationTests)),
        });
        _dashboard = await StartServiceAsync(database, redis.ConnectionString, prefix, "dashboard", _clock, new Dictionary<string, string?>
        {
            ["Platform:Resilience:Health:Peers:0:Name"] = "orders",
            ["Platform:Resilience:Health:Peers:0:Url"] = _orders.BaseAddress.ToString(),
            ["Platform:Resilience:Health:Peers:1:Name"] = "analytics",
            ["Platform:Resilience:Health:Peers:1:Url"] = _analytics.BaseAddress.ToString(),
        });
    }

    public async ValueTask DisposeAsync()
    {
        await _dashboard.DisposeAsync();
        if (_analytics is not null) await _analytics.DisposeAsync();
        await _analyticsClickHouse.DisposeAsync();
        await _orders.DisposeAsync();
        await _ordersRedis.DisposeAsync();
        await _ordersPostgres.DisposeAsync();
    }

    [Fact]
    public async Task Overview_GoesFromHealthyToDegraded_WhenTheCacheAndTheAnalyticsStoreAreLost()
    {
        var healthy = await OverviewAsync();

        _analyticsClickHouse.Fault = ProxyFault.Unreachable;
        _ordersRedis.Cut();
        await Eventually.TrueAsync(async () => Check(await OverviewAsync(), "orders", "redis") == HealthStatus.Degraded, seconds: 30);
        var degraded = await OverviewAsync();
        using var ordersOwn = await _orders.Client.GetAsync("resilience/health", Cancel);
        var page = await _dashboard.Client.GetStringAsync("resilience/health/dashboard", Cancel);

        Assert.Equal(HealthStatus.Healthy, healthy.Status);
        Assert.Equal(["dashboard", "orders", "analytics"], healthy.Services.Select(s => s.Service));
        Assert.Equal(["clickhouse", "postgres", "redis"], healthy.Services.Single(s => s.Service == "analytics").Checks.Select(c => c.Name));
        Assert.Equal(HealthStatus.Degraded, degraded.Status);
        Assert.Equal(HealthStatus.Degraded, Check(degraded, "analytics", "clickhouse"));
        Assert.Equal(HealthStatus.Healthy, Check(degraded, "orders", "postgres"));
        Assert.Equal(HealthStatus.Healthy, degraded.Services.Single(s => s.Service == "dashboard").Status);
        Assert.Equal(HttpStatusCode.OK, ordersOwn.StatusCode);
        Assert.Contains("<h1 data-status=\"Degraded\">", page, StringComparison.Ordinal);
        Assert.Contains("<tr data-service=\"analytics\" data-status=\"Degraded\"><td>analytics</td><td>clickhouse</td>", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Overview_IsUnhealthy_WhenPostgresIsLostOrAServiceStopsReporting_AndHealthyAfterRecovery()
    {
        _ordersPostgres.Cut();
        var lost = await OverviewAsync();
        using var ordersOwn = await _orders.Client.GetAsync("resilience/health", Cancel);

        _ordersPostgres.Heal();
        await Eventually.TrueAsync(async () => (await OverviewAsync()).Status == HealthStatus.Healthy, seconds: 30);
        await _analytics!.DisposeAsync();
        _analytics = null;
        var silent = await OverviewAsync();

        Assert.Equal(HealthStatus.Unhealthy, lost.Status);
        Assert.Equal(HealthStatus.Unhealthy, Check(lost, "orders", "postgres"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ordersOwn.StatusCode);
        Assert.Equal(HealthStatus.Unhealthy, silent.Status);
        Assert.Equal(HealthStatus.Unhealthy, Check(silent, "analytics", "reachable"));
        Assert.Equal(HealthStatus.Healthy, silent.Services.Single(s => s.Service == "orders").Status);
    }

    private static async Task<IPEndPoint> EndpointAsync(string host, int port) => new((await Dns.GetHostAddressesAsync(host, Cancel)).First(), port);

    private async Task<HealthOverview> OverviewAsync()
    {
        using var response = await _dashboard.Client.GetAsync("resilience/health/overview", Cancel);
        return (await System.Text.Json.JsonSerializer.DeserializeAsync<HealthOverview>(await response.Content.ReadAsStreamAsync(Cancel), HealthAggregator.Json, Cancel))!;
    }

    /// <summary>The status of one check of one service; null when that service did not report it.</summary>
    private static HealthStatus? Check(HealthOverview overview, string service, string check) =>
        overview.Services.Single(s => s.Service == service).Checks.SingleOrDefault(c => c.Name == check)?.Status;
}
