using System.Collections.Concurrent;
using System.Net;
using Apex.Integration.CacheStateManagement.Topologies;
using Apex.Integration.Infrastructure;
using Apex.Platform.Caching.Sessions;
using StackExchange.Redis;

namespace Apex.Integration.CacheStateManagement;

/// <summary>
/// Plan item 72: sessions live in a Redis Cluster of three masters on loopback. A fourth node is
/// added and slots are moved to it while sessions are read and written; no session is lost, no
/// request fails (the client follows MOVED and ASK), and the new node ends up serving sessions.
/// </summary>
[PlanItem(72)]
[BusinessValue("All tiers", "Users stay signed in while the session store scales out",
    "Scalability worth $7K MRR seamless scaling", "Session capacity grows without a maintenance window")]
public sealed class SessionStateMigrationTests(SessionStateMigrationTests.Host host) : IClassFixture<SessionStateMigrationTests.Host>
{
    public sealed class Host(PostgresServer postgres, RedisServer redis) : CacheClassHost(postgres, redis)
    {
        public RedisProcess[] Masters { get; private set; } = [];

        public RedisProcess Spare { get; private set; } = null!;

        protected override string Owner => "item72";

        public override async ValueTask InitializeAsync()
        {
            await base.InitializeAsync();
            var nodes = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => LocalRedis.StartServerAsync("redis-cluster",
                "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "30000")));
            foreach (var node in nodes) Own(node);
            (Masters, Spare) = (nodes[..3], nodes[3]);
            await LocalRedis.RunAsync("redis-cli", ["--cluster", "create", .. Masters.Select(m => m.Endpoint), "--cluster-yes"]);
            await WaitUntilClusterOkAsync();
        }

        // Generous timeouts: on a loaded 2-core machine a node may take seconds to answer, which is
        // slowness, not a failed request. The node timeout is long for the same reason: this class
        // tests slot migration, not failure detection, and a starved node must not be voted failed.
        public string ConnectionString => string.Join(',', Masters.Select(m => m.Endpoint)) + ",connectTimeout=15000,syncTimeout=15000,asyncTimeout=15000";

        /// <summary>Every node of the cluster (the spare once it has joined) sees the cluster as ok.</summary>
        public async Task WaitUntilClusterOkAsync()
        {
            await using var probe = await ConnectionMultiplexer.ConnectAsync(ConnectionString + ",allowAdmin=true");
            await Eventually.TrueAsync(async () =>
            {
                foreach (var server in probe.GetServers().Where(s => s.IsConnected))
                {
                    if (!(await server.ExecuteAsync("CLUSTER", "INFO")).ToString().Contains("cluster_state:ok", StringComparison.Ordinal)) return false;
                }

                return true;
            }, seconds: 60);
        }
    }

    [Fact]
    public async Task NodeAddedAndSlotsMoved_WhileSessionsAreReadAndWritten_NoSessionIsLostAndNoRequestFails()
    {
        await host.WaitUntilClusterOkAsync();
        var node = await host.StartNodeAsync(redisConnection: host.ConnectionString);
        var sessions = node.Get<ClusterSessionStore>();
        var ids = Enumerable.Range(0, 300).Select(i => $"s{i}-{Guid.NewGuid():N}").ToList();
        foreach (var id in ids) await sessions.CreateAsync(id, $"user-{id}");
        var load = SessionLoad.Start(sessions, ids);

        load.Migrating = true;
        var migrator = node.Get<SlotMigrator>();
        var spare = new IPEndPoint(IPAddress.Loopback, host.Spare.Port);
        await migrator.AddNodeAsync(spare, TestContext.Current.CancellationToken);
        var report = await migrator.MoveSlotsAsync(spare, slotsPerMaster: 200, TestContext.Current.CancellationToken);
        load.Migrating = false;
        await load.StopAsync();

        Assert.Empty(load.Errors);
        Assert.True(load.DuringMigration > 0);
        Assert.Equal(600, report.Slots);
        Assert.True(report.Keys > 0);
        Assert.Empty(await sessions.MissingAsync(ids));
        foreach (var id in ids) Assert.Equal(load.Expected[id], (await sessions.GetAsync(id))!.Hits);
        await using var spareClient = await ConnectionMultiplexer.ConnectAsync(host.Spare.Endpoint + ",allowAdmin=true");
        Assert.True(await spareClient.GetServer(host.Spare.Endpoint).DatabaseSizeAsync() > 0);
    }

    /// <summary>
    /// Four workers touching and reading the sessions in turn until stopped: each touch is counted as
    /// expected, a session that reads back wrong or a Redis error is recorded, and the requests made
    /// while slots move are counted (the test asserts there were some).
    /// </summary>
    private sealed class SessionLoad
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly ClusterSessionStore _sessions;
        private readonly List<string> _ids;
        private List<Task> _workers = [];
        private long _duringMigration;
        private bool _migrating;

        private SessionLoad(ClusterSessionStore sessions, List<string> ids) =>
            (_sessions, _ids, Expected) = (sessions, ids, new ConcurrentDictionary<string, long>(ids.ToDictionary(id => id, _ => 0L)));

        public ConcurrentDictionary<string, long> Expected { get; }

        public ConcurrentQueue<Exception> Errors { get; } = new();

        public long DuringMigration => Interlocked.Read(ref _duringMigration);

        public bool Migrating
        {
            set => Volatile.Write(ref _migrating, value);
        }

        public static SessionLoad Start(ClusterSessionStore sessions, List<string> ids)
        {
            var load = new SessionLoad(sessions, ids);
            load._workers = [.. Enumerable.Range(0, 4).Select(worker => Task.Run(() => load.WorkAsync(worker)))];
            return load;
        }

        public async Task StopAsync()
        {
            await _stop.CancelAsync();
            await Task.WhenAll(_workers);
            _stop.Dispose();
        }

        private async Task WorkAsync(int worker)
        {
            for (var n = worker; !_stop.IsCancellationRequested; n += 4)
            {
                var id = _ids[n % _ids.Count];
                try
                {
                    await _sessions.TouchAsync(id);
                    Expected.AddOrUpdate(id, 1, (_, v) => v + 1);
                    if ((await _sessions.GetAsync(id))?.UserId != $"user-{id}") Errors.Enqueue(new InvalidOperationException($"{id} unreadable"));
                    if (Volatile.Read(ref _migrating)) Interlocked.Increment(ref _duringMigration);
                }
                catch (Exception e) when (e is RedisException or RedisTimeoutException)
                {
                    Errors.Enqueue(e);
                }
            }
        }
    }

    [Fact]
    public async Task MovingSlotsToANodeOutsideTheCluster_IsRefused_AndNoSessionMoves()
    {
        await host.WaitUntilClusterOkAsync();
        var node = await host.StartNodeAsync(redisConnection: host.ConnectionString);
        var sessions = node.Get<ClusterSessionStore>();
        await sessions.CreateAsync("refused-1", "user-r");

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            node.Get<SlotMigrator>().MoveSlotsAsync(new IPEndPoint(IPAddress.Loopback, 9), 10, TestContext.Current.CancellationToken));

        Assert.Contains("127.0.0.1:9 is not a master", refused.Message);
        Assert.Equal("user-r", (await sessions.GetAsync("refused-1"))?.UserId);
    }
}
