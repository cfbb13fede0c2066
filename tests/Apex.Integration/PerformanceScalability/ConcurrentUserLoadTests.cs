using System.Net;
using System.Net.Http.Json;
using Apex.Integration.Authentication;
using Apex.Integration.Infrastructure;
using Apex.Platform.Auth;
using Apex.Platform.Auth.Permissions;
using Apex.Platform.Performance.Load;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using static Apex.Integration.Authentication.AuthApi;

namespace Apex.Integration.PerformanceScalability;

/// <summary>
/// Plan item 76: 1,000 real WebSocket clients on loopback, each authenticated at its handshake,
/// held open on one platform instance. A tenant-wide broadcast reaches all 1,000; the process grows
/// by memory, not by a thread per connection (both measured and written to the output); and when
/// the 1,001st client pushes past the instance's connection limit it is refused with 503 and the
/// bottleneck detector names the connection slots as the saturated resource.
/// </summary>
[PlanItem(76)]
[BusinessValue("All tiers", "Serve a growing number of concurrent users",
    "Scale support worth $12K MRR growth capacity", "One instance holds a known number of live users and says when it is full")]
public sealed class ConcurrentUserLoadTests(ConcurrentUserLoadTests.Crowd crowd) : IClassFixture<ConcurrentUserLoadTests.Crowd>
{
    public const int Clients = 1_000;

    public sealed class Crowd(PostgresServer postgres, RedisServer redis) : ClassHost(postgres, redis)
    {
        private const int Users = 20;
        private readonly List<CrowdClient> _clients = [];

        protected override string Owner => "item76";

        protected override string[] Services => ["auth", "realtime", "performance"];

        public AuthEndpoints.TokenResponse Admin { get; private set; } = null!;

        public IReadOnlyList<CrowdClient> Clients => _clients;

        public LoadEndpoints.ResourceReport Before { get; private set; } = null!;

        public LoadEndpoints.ResourceReport After { get; private set; } = null!;

        public long ManagedBytesBefore { get; private set; }

        public long ManagedBytesAfter { get; private set; }

        protected override Task<Dictionary<string, string?>> ExtraSettingsAsync() =>
            Task.FromResult(new Dictionary<string, string?> { ["Platform:Performance:Load:MaxConnections"] = $"{ConcurrentUserLoadTests.Clients}" });

        protected override async Task StartPlatformsAsync(Dictionary<string, string?> extra)
        {
            await base.StartPlatformsAsync(extra);
            var users = new List<AuthEndpoints.TokenResponse>();
            for (var i = 0; i < Users; i++) users.Add(await SignInAsync(A, Provider, $"user{i}@crowd.test"));
            Admin = users[0];
            await GrantAdminAsync(Admin);
            Before = await ResourcesAsync();
            ManagedBytesBefore = GC.GetTotalMemory(forceFullCollection: true);
            var issuer = A.Services.GetRequiredService<AccessTokenIssuer>();
            var tokens = Enumerable.Range(0, ConcurrentUserLoadTests.Clients)
                .Select(i => users[i % Users])
                .Select((u, i) => issuer.Issue(new PlatformUser(u.UserId, u.TenantId, $"u{u.UserId:N}@crowd.test", "Crowd"), $"tab-{i}").AccessToken);
            foreach (var client in await CrowdClient.ConnectAllAsync(A, tokens, parallelism: 50)) _clients.Add(Own(client));
            ManagedBytesAfter = GC.GetTotalMemory(forceFullCollection: true);
            After = await ResourcesAsync();
        }

        public async Task<LoadEndpoints.ResourceReport> ResourcesAsync() =>
            (await (await GetAsync(A, "performance/resources", Admin.AccessToken)).EnsureSuccessStatusCode().Content
                .ReadFromJsonAsync<LoadEndpoints.ResourceReport>(Cancel))!;

        // Roles are data: the first user of the tenant becomes its admin, and the platform's own
        // invalidation makes every service see it.
        private async Task GrantAdminAsync(AuthEndpoints.TokenResponse user)
        {
            await using (var connection = new NpgsqlConnection(Database))
            {
                await connection.OpenAsync();
                await using var grant = new NpgsqlCommand("INSERT INTO user_roles (user_id, role) VALUES (@user, 'admin') ON CONFLICT (user_id) DO UPDATE SET role = 'admin'", connection);
                grant.Parameters.AddWithValue("user", user.UserId);
                await grant.ExecuteNonQueryAsync();
            }

            await A.Services.GetRequiredService<AccessResolver>().ChangedAsync(user.TenantId);
        }
    }

    [Fact]
    public async Task Broadcast_ReachesEveryOneOfTheThousandClients_WhenTheyAreConnected()
    {
        var response = await SendAsync(crowd.A, HttpMethod.Post, "performance/broadcast", crowd.Admin.AccessToken, new { payload = "maintenance at 02:00" });
        var result = await response.EnsureSuccessStatusCode().ReadAsync<LoadEndpoints.BroadcastResult>();
        var received = await CrowdClient.ReceiveFromAllAsync(crowd.Clients, LoadEndpoints.BroadcastType, parallelism: 100);

        Assert.Equal((Clients, 0), (result.Delivered, result.Failed));
        Assert.Equal(Clients, received.Count(payload => payload == "maintenance at 02:00"));
    }

    [Fact]
    public void Connections_CostMemoryNotThreads_WhenAThousandAreOpen()
    {
        var (before, after) = (crowd.Before.Snapshot, crowd.After.Snapshot);
        var bytesPerConnection = (crowd.ManagedBytesAfter - crowd.ManagedBytesBefore) / (double)Clients;
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"threads {before.ProcessThreads} -> {after.ProcessThreads}; fds {before.OpenFileDescriptors} -> {after.OpenFileDescriptors}; " +
            $"managed heap +{bytesPerConnection / 1024:0.0} KiB and working set +{(after.WorkingSetBytes - before.WorkingSetBytes) / (double)Clients / 1024:0.0} KiB per connection (client and server side, one process)");

        Assert.Equal(Clients, after.Connections);
        Assert.InRange(after.ProcessThreads - before.ProcessThreads, int.MinValue, Clients / 10);
        // Two sockets per client (both ends live in this process), give or take the few descriptors
        // the sign-ins' HTTP connections and the hosts' own files open or close meanwhile.
        Assert.InRange(after.OpenFileDescriptors - before.OpenFileDescriptors, 2 * Clients - 50, 2 * Clients + 200);
    }

    [Fact]
    public async Task Detector_NamesTheConnectionSlots_WhenTheLimitIsPushed()
    {
        var beyond = await WebSocketClient.RefusedHandshakeAsync(crowd.A, crowd.Admin.AccessToken);
        var report = await crowd.ResourcesAsync();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, beyond);
        Assert.Equal(BottleneckDetector.Connections, report.Usage[0].Resource);
        Assert.Equal([BottleneckDetector.Connections], report.Saturated);
        Assert.Equal(1.0, report.Usage[0].Utilization);
        Assert.Empty(crowd.Before.Saturated);
    }
}
