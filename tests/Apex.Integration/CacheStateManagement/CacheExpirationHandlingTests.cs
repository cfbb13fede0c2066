using Apex.Integration.Infrastructure;
using Apex.Platform.Caching.Expiration;
using StackExchange.Redis;

namespace Apex.Integration.CacheStateManagement;

/// <summary>
/// Plan item 68: entries expire on the platform clock, absolutely or sliding; an entry about to
/// expire is reloaded in the background while readers keep getting the current value; and 50
/// readers missing one key at once (on two instances) run its loader once, also when it fails.
/// </summary>
[PlanItem(68)]
[BusinessValue("All tiers", "Cached data is fresh, and a cold key never floods the database",
    "Freshness worth $4K MRR data accuracy", "Expiry and reloads are safe under peak traffic, so TTLs can be tuned freely")]
public sealed class CacheExpirationHandlingTests(CacheExpirationHandlingTests.Host host) : IClassFixture<CacheExpirationHandlingTests.Host>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public sealed class Host(PostgresServer postgres, RedisServer redis) : CacheClassHost(postgres, redis)
    {
        public CacheNode A { get; private set; } = null!;

        public CacheNode B { get; private set; } = null!;

        public ConnectionMultiplexer Connection { get; private set; } = null!;

        protected override string Owner => "item68";

        public override async ValueTask InitializeAsync()
        {
            await base.InitializeAsync();
            var settings = new Dictionary<string, string?> { ["Platform:Caching:RefreshAheadRatio"] = "0.2" };
            A = await StartNodeAsync(settings);
            B = await StartNodeAsync(settings);
            Connection = Own(await Redis.ConnectAsync());
        }
    }

    private ExpiringCache CacheA => host.A.Get<ExpiringCache>();

    [Fact]
    public async Task AbsoluteTtl_ServesTheEntryUntilItsLifetimeEnds_ThenDetectsExpiryAndReloads()
    {
        var loads = 0;
        var policy = ExpirationPolicy.AbsoluteAfter(TimeSpan.FromSeconds(60));
        Task<string> Load(CancellationToken _) => Task.FromResult($"rate-{Interlocked.Increment(ref loads)}");

        Assert.Equal("rate-1", await CacheA.GetOrLoadAsync("fx:eur", policy, Load, Cancel));
        var ttl = await host.Connection.GetDatabase().KeyTimeToLiveAsync(CacheA.Key("fx:eur"));
        Assert.InRange(ttl!.Value, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60) + ExpiringCache.PhysicalGrace);
        Assert.Equal(host.Clock.GetUtcNow() + TimeSpan.FromSeconds(60), await CacheA.ExpiryAsync("fx:eur"));
        host.Clock.Advance(TimeSpan.FromSeconds(40));
        Assert.Equal("rate-1", await CacheA.GetOrLoadAsync("fx:eur", policy, Load, Cancel));
        var expirations = CacheA.Expirations;

        host.Clock.Advance(TimeSpan.FromSeconds(21));

        Assert.Equal("rate-2", await host.B.Get<ExpiringCache>().GetOrLoadAsync("fx:eur", policy, Load, Cancel));
        Assert.Equal(1, host.B.Get<ExpiringCache>().Expirations);
        Assert.Equal(expirations, CacheA.Expirations);
        Assert.Equal(2, loads);
    }

    [Fact]
    public async Task SlidingTtl_StaysAliveWhileRead_ExpiresWhenIdle_AndNeverOutlivesItsCap()
    {
        var loads = 0;
        var policy = ExpirationPolicy.SlidingFor(TimeSpan.FromSeconds(30), cap: TimeSpan.FromSeconds(100));
        Task<int> Load(CancellationToken _) => Task.FromResult(Interlocked.Increment(ref loads));

        await CacheA.GetOrLoadAsync("session:view", policy, Load, Cancel);
        for (var i = 0; i < 3; i++)
        {
            host.Clock.Advance(TimeSpan.FromSeconds(25));
            Assert.Equal(1, await CacheA.GetOrLoadAsync("session:view", policy, Load, Cancel));
        }

        Assert.Equal(host.Clock.GetUtcNow() + TimeSpan.FromSeconds(25), await CacheA.ExpiryAsync("session:view"));
        host.Clock.Advance(TimeSpan.FromSeconds(26));
        Assert.Equal(2, await CacheA.GetOrLoadAsync("session:view", policy, Load, Cancel));
        host.Clock.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal(3, await CacheA.GetOrLoadAsync("session:view", policy, Load, Cancel));
    }

    [Fact]
    public async Task RefreshAhead_ReloadsInTheBackgroundBeforeExpiry_WhileReadersGetTheCurrentValue()
    {
        var version = "v1";
        var loads = 0;
        var policy = ExpirationPolicy.AbsoluteAfter(TimeSpan.FromSeconds(100));
        Task<string> Load(CancellationToken _)
        {
            Interlocked.Increment(ref loads);
            return Task.FromResult(version);
        }

        await CacheA.GetOrLoadAsync("catalog:top", policy, Load, Cancel);
        version = "v2";
        host.Clock.Advance(TimeSpan.FromSeconds(70));
        Assert.Equal("v1", await CacheA.GetOrLoadAsync("catalog:top", policy, Load, Cancel));
        Assert.Equal(1, loads);
        var refreshes = CacheA.Refreshes;
        var misses = CacheA.Misses;

        host.Clock.Advance(TimeSpan.FromSeconds(15));
        Assert.Equal("v1", await CacheA.GetOrLoadAsync("catalog:top", policy, Load, Cancel));

        await Eventually.TrueAsync(() => Task.FromResult(CacheA.Refreshes == refreshes + 1));
        Assert.Equal("v2", await CacheA.GetOrLoadAsync("catalog:top", policy, Load, Cancel));
        Assert.Equal(host.Clock.GetUtcNow() + TimeSpan.FromSeconds(100), await CacheA.ExpiryAsync("catalog:top"));
        Assert.Equal(misses, CacheA.Misses);
        Assert.Equal(2, loads);
    }

    [Fact]
    public async Task FiftyConcurrentMisses_OnTwoInstances_RunTheLoaderOnce()
    {
        var loads = 0;
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var policy = ExpirationPolicy.AbsoluteAfter(TimeSpan.FromMinutes(5));
        async Task<string> Load(CancellationToken _)
        {
            Interlocked.Increment(ref loads);
            await gate.Task;
            return "report";
        }

        var (a, b) = (CacheA, host.B.Get<ExpiringCache>());
        var missesBefore = a.Misses + b.Misses;
        var readers = Enumerable.Range(0, 50).Select(i => Task.Run(() => (i % 2 == 0 ? a : b).GetOrLoadAsync("report:daily", policy, Load, Cancel))).ToList();
        await Eventually.TrueAsync(() => Task.FromResult(a.Misses + b.Misses - missesBefore == 50));
        gate.SetResult();

        var values = await Task.WhenAll(readers);
        Assert.All(values, v => Assert.Equal("report", v));
        Assert.Equal(1, loads);
    }

    [Fact]
    public async Task FailingLoader_FailsEveryWaitingReader_RunsOnce_AndReleasesTheKeyForTheNextReader()
    {
        var loads = 0;
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var policy = ExpirationPolicy.AbsoluteAfter(TimeSpan.FromMinutes(5));
        async Task<string> Failing(CancellationToken _)
        {
            Interlocked.Increment(ref loads);
            await gate.Task;
            throw new InvalidOperationException("source timed out");
        }

        var missesBefore = CacheA.Misses;
        var readers = Enumerable.Range(0, 20).Select(_ => Task.Run(() => CacheA.GetOrLoadAsync("report:weekly", policy, Failing, Cancel))).ToList();
        await Eventually.TrueAsync(() => Task.FromResult(CacheA.Misses - missesBefore == 20));
        gate.SetResult();

        foreach (var reader in readers) await Assert.ThrowsAsync<InvalidOperationException>(() => reader);
        Assert.Equal(1, loads);
        Assert.Equal("fresh", await host.B.Get<ExpiringCache>().GetOrLoadAsync("report:weekly", policy, _ => Task.FromResult("fresh"), Cancel));
    }
}
