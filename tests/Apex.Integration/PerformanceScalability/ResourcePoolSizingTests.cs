using Apex.Integration.Infrastructure;
using Apex.Platform.Performance.Pools;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Apex.Integration.PerformanceScalability;

/// <summary>
/// Plan item 84: a workload of concurrent database calls (real PostgreSQL, pg_sleep as the service
/// time) is measured — arrival rate and service time — and the pool size computed from them by
/// Little's law is applied to the worker pool and the Npgsql connection pool. Under the same load
/// again the pool neither starves nor keeps idle slots beyond the bound; a pool far too small
/// starves and one far too large is reported oversized.
/// </summary>
[PlanItem(84)]
[BusinessValue("All tiers", "Right-sized worker and connection pools",
    "Efficiency worth $6K MRR resource optimization", "Capacity follows measured demand: no waiting users, no paid-for idle connections")]
public sealed class ResourcePoolSizingTests(PostgresServer postgres)
{
    private const int Clients = 6;
    private const int CallsPerClient = 8;
    private const int MaxIdleSurplus = 2;
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task SizeFromMeasurement_NeitherStarvesNorIdles_WhenAppliedUnderTheSameLoad()
    {
        var connectionString = await postgres.CreateDatabaseAsync("item84");
        var pool = new MonitoredPool(64, TimeSpan.FromSeconds(10), new WorkloadMeter(TimeProvider.System), TimeProvider.System);
        await using (var measuring = NpgsqlDataSource.Create(connectionString)) await RunLoadAsync(pool, measuring);
        var sizing = pool.Meter.Size(headroom: 0.25, min: 1, max: 64);

        await using var sized = PoolAdjuster.Apply(sizing, pool, connectionString);
        await RunLoadAsync(pool, sized);

        var stats = pool.Stats;
        TestContext.Current.TestOutputHelper?.WriteLine($"λ={sizing.ArrivalsPerSecond:0.0}/s W={sizing.ServiceTime.TotalMilliseconds:0} ms L={sizing.MeanConcurrency:0.00} size={sizing.Size}; {stats}");
        Assert.InRange(sizing.Size, 1, Clients + MaxIdleSurplus);
        Assert.Equal(sizing.Size, new NpgsqlConnectionStringBuilder(sized.ConnectionString).MaxPoolSize);
        Assert.Equal(PoolVerdict.Fit, stats.Judge(MaxIdleSurplus));
        Assert.Equal(0, stats.Starved);
    }

    [Fact]
    public async Task Judge_ReportsStarvationAndSurplus_WhenThePoolIsFarTooSmallOrTooLarge()
    {
        await using var dataSource = NpgsqlDataSource.Create(await postgres.CreateDatabaseAsync("item84b"));
        var tooSmall = new MonitoredPool(1, TimeSpan.FromMilliseconds(50), new WorkloadMeter(TimeProvider.System), TimeProvider.System);
        var tooLarge = new MonitoredPool(40, TimeSpan.FromSeconds(10), new WorkloadMeter(TimeProvider.System), TimeProvider.System);

        var starved = await Record.ExceptionAsync(() => RunLoadAsync(tooSmall, dataSource));
        await RunLoadAsync(tooLarge, dataSource);

        Assert.IsType<PoolStarvedException>(starved);
        Assert.Equal(PoolVerdict.Starved, tooSmall.Stats.Judge(MaxIdleSurplus));
        Assert.Equal(PoolVerdict.Oversized, tooLarge.Stats.Judge(MaxIdleSurplus));
        Assert.InRange(tooLarge.Stats.PeakInUse, 1, Clients);
    }

    [Fact]
    public void LittlesLaw_SizesFromRateAndServiceTime_WithinBounds()
    {
        var meter = new WorkloadMeter(new FakeTimeProvider());

        var sized = LittlesLaw.Size(arrivalsPerSecond: 200, TimeSpan.FromMilliseconds(50), headroom: 0.2, min: 2, max: 100);

        Assert.Equal((10.0, 12), (Math.Round(sized.MeanConcurrency, 6), sized.Size));
        Assert.Equal(100, LittlesLaw.Size(10_000, TimeSpan.FromSeconds(1), 0.2, 2, 100).Size);
        Assert.Equal(2, meter.Size(0.2, 2, 100).Size);
    }

    // Clients in a closed loop: each acquires a slot, runs a query that holds its connection for
    // 20 ms, releases, and goes again.
    private static Task RunLoadAsync(MonitoredPool pool, NpgsqlDataSource dataSource) =>
        Task.WhenAll(Enumerable.Range(0, Clients).Select(_ => Task.Run(async () =>
        {
            for (var call = 0; call < CallsPerClient; call++)
            {
                await using var lease = await pool.AcquireAsync(Cancel);
                await using var command = dataSource.CreateCommand("SELECT pg_sleep(0.02)");
                await command.ExecuteNonQueryAsync(Cancel);
            }
        }, Cancel)));
}
