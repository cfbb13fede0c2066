using System.Net;
using Apex.Integration.CacheStateManagement.Topologies;
using Apex.Integration.Infrastructure;
using Apex.Platform.Caching.Failover;
using StackExchange.Redis;

namespace Apex.Integration.CacheStateManagement;

/// <summary>
/// Plan item 74: a master, a replica and three redis-sentinel processes on loopback. Writes the
/// replica acknowledged (WAIT) before the master is killed are all there after Sentinel promotes
/// the replica, and the platform reaches the new master through Sentinel without being reconfigured.
/// </summary>
[PlanItem(74)]
[BusinessValue("All tiers", "The cache survives the loss of its master",
    "High availability worth $8K MRR uptime", "Redis can run highly available without the application knowing its topology")]
public sealed class CacheClusterFailoverTests(CacheClusterFailoverTests.Host host) : IClassFixture<CacheClusterFailoverTests.Host>
{
    private const string Service = "apexcache";

    public sealed class Host(PostgresServer postgres, RedisServer redis) : CacheClassHost(postgres, redis)
    {
        public RedisProcess Master { get; private set; } = null!;

        public RedisProcess Replica { get; private set; } = null!;

        public string Sentinels { get; private set; } = string.Empty;

        protected override string Owner => "item74";

        public override async ValueTask InitializeAsync()
        {
            await base.InitializeAsync();
            Master = Own(await LocalRedis.StartServerAsync("redis-master"));
            Replica = Own(await LocalRedis.StartServerAsync("redis-replica", "--replicaof", "127.0.0.1", Master.Port.ToString()));
            await WaitUntilReplicaInSyncAsync();
            var sentinels = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => LocalRedis.StartSentinelAsync(Service, Master.Port)));
            foreach (var sentinel in sentinels) Own(sentinel);
            Sentinels = string.Join(',', sentinels.Select(s => s.Endpoint));
        }

        // A replica answers PING before its first sync with the master is done; until then WAIT
        // counts no replica, so the tests start only once the link is up.
        private async Task WaitUntilReplicaInSyncAsync()
        {
            await using var replica = await ConnectionMultiplexer.ConnectAsync($"{Replica.Endpoint},allowAdmin=true,syncTimeout=15000,asyncTimeout=15000");
            await Eventually.TrueAsync(async () =>
                (await replica.GetServer(Replica.Endpoint).InfoRawAsync("replication"))?.Contains("master_link_status:up", StringComparison.Ordinal) == true,
                seconds: 60);
        }

        /// <summary>
        /// How the platform is configured for Sentinel: the Sentinels and the service name, no master
        /// address. The client waits longer than the longest WAIT the tests ask for (5 s), so a loaded
        /// machine shows as a slow acknowledgement, never as a client timeout.
        /// </summary>
        public string ConnectionString => $"{Sentinels},serviceName={Service},abortConnect=false,syncTimeout=15000,asyncTimeout=15000";
    }

    [Fact]
    public async Task MasterKilled_SentinelPromotesTheReplica_AndEveryAcknowledgedWriteIsOnTheNewMaster()
    {
        var node = await host.StartNodeAsync(redisConnection: host.ConnectionString);
        var writes = node.Get<DurableWrites>();
        var monitor = node.Get<SentinelMonitor>();
        await monitor.StartAsync(host.Sentinels, Service);
        Assert.Equal(host.Master.Port, Port(await monitor.CurrentMasterAsync()));
        var acknowledged = new List<DurableWrite>();
        for (var i = 0; i < 50; i++) acknowledged.Add(await writes.SetAsync($"order:{i}", $"paid-{i}", replicas: 1, TimeSpan.FromSeconds(5)));
        Assert.All(acknowledged, w => Assert.True(w.Durable, $"{w.Key}: {w.Acknowledged} of {w.Required}"));

        host.Master.Crash();

        await Eventually.TrueAsync(async () => Port(await monitor.CurrentMasterAsync()) == host.Replica.Port, seconds: 60);
        await Eventually.TrueAsync(() => Task.FromResult(monitor.Failovers.Any(f => f.NewMaster == host.Replica.Endpoint)), seconds: 30);
        Assert.Equal(host.Master.Endpoint, monitor.Failovers.Last().OldMaster);
        await Eventually.TrueAsync(async () => await TryWriteAsync(writes), seconds: 60);
        for (var i = 0; i < 50; i++) Assert.Equal($"paid-{i}", await writes.GetAsync($"order:{i}"));
    }

    [Fact]
    public async Task WriteDemandingMoreReplicasThanAcknowledge_IsReportedAsNotDurable()
    {
        var node = await host.StartNodeAsync(redisConnection: host.ConnectionString);
        var writes = node.Get<DurableWrites>();

        var write = await writes.SetAsync("refund:1", "pending", replicas: 2, TimeSpan.FromMilliseconds(200));

        Assert.False(write.Durable);
        Assert.True(write.Acknowledged < 2);
        Assert.Equal("pending", await writes.GetAsync("refund:1"));
    }

    private static int? Port(EndPoint? endpoint) => endpoint switch
    {
        IPEndPoint ip => ip.Port,
        DnsEndPoint dns => dns.Port,
        _ => null,
    };

    private static async Task<bool> TryWriteAsync(DurableWrites writes)
    {
        try
        {
            return (await writes.SetAsync("after-failover", "ok", replicas: 0, TimeSpan.FromMilliseconds(100))).Durable
                && await writes.GetAsync("after-failover") == "ok";
        }
        catch (Exception e) when (e is RedisException or RedisTimeoutException)
        {
            return false;
        }
    }
}
