using System.Net;
using System.Net.Http.Json;
using Apex.Integration.Fakes;
using Apex.Integration.Infrastructure;
using Apex.Platform.Performance.Startup;
using StackExchange.Redis;

namespace Apex.Integration.PerformanceScalability;

/// <summary>
/// Plan item 83: the platform host measures its start to readiness (dependencies answering) and
/// gates on it. Cold (a fresh database: schema created) and warm (schema present) starts are both
/// ready before the server listens, so no request meets a half-started instance; when Redis comes
/// late, every request but the health endpoints is answered 503 until it does, and then served.
/// The start times of a separate platform process, cold and warm, are the bench command's
/// (benchmarks/Apex.Platform.Benchmarks, "startup"), in the note.
/// </summary>
[PlanItem(83)]
[BusinessValue("All tiers", "Quick, safe recovery after a restart",
    "Availability worth $8K MRR quick recovery", "An instance restarts fast and takes traffic only once it can serve it")]
public sealed class StartupTimeOptimizationTests(PostgresServer postgres, RedisServer redis)
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Requests_AreRefusedUntilDependenciesAreReady_WhenRedisComesLate()
    {
        await using var partition = new TcpPartition(await RedisEndPointAsync());
        partition.Cut();
        await using var platform = await StartAsync(await postgres.CreateDatabaseAsync("item83late"),
            $"127.0.0.1:{partition.Port},abortConnect=false,connectTimeout=1000");

        var readiness = await platform.Client.GetAsync("health/ready", Cancel);
        var api = await platform.Client.GetAsync("api/me", Cancel);
        var liveness = await platform.Client.GetAsync("health", Cancel);
        var waitingFor = (await readiness.Content.ReadFromJsonAsync<StartupEndpoints.Readiness>(Cancel))!.Dependencies;
        partition.Heal();
        await Eventually.TrueAsync(async () => (await platform.Client.GetAsync("health/ready", Cancel)).IsSuccessStatusCode, seconds: 30);
        var served = await platform.Client.GetAsync("api/me", Cancel);
        var phases = await PhasesAsync(platform);

        Assert.Equal((HttpStatusCode.ServiceUnavailable, HttpStatusCode.ServiceUnavailable, HttpStatusCode.OK),
            (readiness.StatusCode, api.StatusCode, liveness.StatusCode));
        Assert.True(api.Headers.Contains("Retry-After"));
        Assert.Equal(DependencyProbe.Ok, waitingFor["postgres"]);
        Assert.StartsWith("unavailable", waitingFor["redis"], StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, served.StatusCode);
        Assert.True(phases[StartupProfiler.DependenciesReady] > phases[StartupProfiler.Listening]);
    }

    [Fact]
    public async Task ColdAndWarmStarts_AreReadyBeforeTheServerListens_WhenDependenciesAreUp()
    {
        var database = await postgres.CreateDatabaseAsync("item83");
        var starts = new List<IReadOnlyDictionary<string, double>>();
        foreach (var start in new[] { "cold", "warm" })
        {
            await using var platform = await StartAsync(database, redis.ConnectionString);
            var ready = await platform.Client.GetAsync("health/ready", Cancel);
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
            starts.Add(await PhasesAsync(platform));
            TestContext.Current.TestOutputHelper?.WriteLine($"{start}: {string.Join(", ", starts[^1].Select(p => $"{p.Key} {p.Value} ms"))}");
        }

        Assert.All(starts, phases =>
        {
            Assert.Equal([StartupProfiler.HostStarting, StartupProfiler.DependenciesReady, StartupProfiler.Listening], phases.Keys);
            Assert.True(phases[StartupProfiler.DependenciesReady] <= phases[StartupProfiler.Listening]);
        });
    }

    private Task<PlatformInstance> StartAsync(string database, string redisConnection) =>
        PlatformInstance.StartAsync(new PlatformSettings(database, redisConnection, RedisServer.NewKeyPrefix("item83")) { Services = ["backend", "performance"] });

    private static async Task<IReadOnlyDictionary<string, double>> PhasesAsync(PlatformInstance platform) =>
        (await platform.Client.GetFromJsonAsync<Dictionary<string, double>>("health/startup", Cancel))!;

    private async Task<IPEndPoint> RedisEndPointAsync()
    {
        var endpoint = ConfigurationOptions.Parse(redis.ConnectionString).EndPoints[0];
        if (endpoint is IPEndPoint ip) return ip;
        var dns = (DnsEndPoint)endpoint;
        return new IPEndPoint((await Dns.GetHostAddressesAsync(dns.Host, Cancel)).First(), dns.Port);
    }
}
