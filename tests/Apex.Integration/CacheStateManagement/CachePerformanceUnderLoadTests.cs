using Apex.Integration.Infrastructure;
using Apex.Platform.Caching.Load;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;

namespace Apex.Integration.CacheStateManagement;

/// <summary>
/// Plan item 75: a bounded, pipelined load against the cache completes every operation without an
/// error and never has more replies outstanding than its bound; it stops at its time bound; errors
/// are counted, not thrown. Latency and throughput figures come from the benchmark
/// (benchmarks/Apex.Caching.LoadBenchmark), never from an assertion here.
/// </summary>
[PlanItem(75)]
[BusinessValue("All tiers", "The cache stays correct at peak traffic",
    "Scalability worth $5K MRR peak performance", "Load limits are measured and enforced, so peaks degrade gracefully")]
public sealed class CachePerformanceUnderLoadTests(CachePerformanceUnderLoadTests.Host host) : IClassFixture<CachePerformanceUnderLoadTests.Host>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public sealed class Host(PostgresServer postgres, RedisServer redis) : CacheClassHost(postgres, redis)
    {
        public CacheNode Node { get; private set; } = null!;

        public ConnectionMultiplexer Connection { get; private set; } = null!;

        protected override string Owner => "item75";

        public override async ValueTask InitializeAsync()
        {
            await base.InitializeAsync();
            Node = await StartNodeAsync();
            Connection = Own(await Redis.ConnectAsync());
        }
    }

    [Fact]
    public async Task PipelinedLoad_CompletesEveryOperationWithoutError_AndNeverExceedsItsInFlightBound()
    {
        var profile = new LoadProfile(Operations: 20_000, MaxDuration: TimeSpan.FromHours(1), MaxInFlight: 200, BatchSize: 50, ReadPercent: 50, KeySpace: 500, KeyPrefix: "mixed:");

        var report = await host.Node.Get<CacheLoadGenerator>().RunAsync(profile, Cancel);

        Assert.Equal((20_000, 0, LoadBound.Count), (report.Completed, report.Errors, report.StoppedBy));
        Assert.InRange(report.MaxInFlight, profile.BatchSize, profile.MaxInFlight);
        Assert.True(report.P99Milliseconds >= report.P50Milliseconds);
        // Every key written holds the number of an operation that wrote it (n % 100 >= 50, n % 500 == key).
        var value = (long)await host.Connection.GetDatabase().StringGetAsync($"{host.Prefix}mixed:499");
        Assert.Equal(499, value % 500);
        Assert.True(value % 100 >= 50);
    }

    [Fact]
    public async Task Load_StopsAtItsTimeBound_BeforeItsCountBound()
    {
        // Each reading of this clock moves it 1 ms: the 200 ms bound is reached after a known amount of work, on any machine.
        var clock = new FakeTimeProvider { AutoAdvanceAmount = TimeSpan.FromMilliseconds(1) };
        var generator = new CacheLoadGenerator(host.Node.Get<IConnectionMultiplexer>(), host.Node.Get<Apex.Platform.Caching.RedisKeys>(), clock);

        var report = await generator.RunAsync(new LoadProfile(1_000_000, TimeSpan.FromMilliseconds(200), MaxInFlight: 64, BatchSize: 16, KeyPrefix: "timed:"), Cancel);

        Assert.Equal(LoadBound.Time, report.StoppedBy);
        Assert.InRange(report.Completed, 1, 1_000_000 - 1);
        Assert.Equal(0, report.Errors);
    }

    [Fact]
    public async Task FailingOperations_AreCounted_AndTheRunStillEndsWithItsFigures()
    {
        var database = host.Connection.GetDatabase();
        for (var k = 0; k < 10; k++) await database.HashSetAsync($"{host.Prefix}typed:{k}", "field", "not a string");

        var report = await host.Node.Get<CacheLoadGenerator>().RunAsync(
            new LoadProfile(1_000, TimeSpan.FromHours(1), MaxInFlight: 100, BatchSize: 20, ReadPercent: 100, KeySpace: 20, KeyPrefix: "typed:"), Cancel);

        Assert.Equal(500, report.Errors);
        Assert.Equal(500, report.Completed);
        Assert.Equal(LoadBound.Count, report.StoppedBy);
    }
}
