using System.Net;
using System.Net.WebSockets;
using Apex.Integration.Infrastructure;
using Apex.Platform.Realtime.Admission;
using Apex.Platform.Realtime.Hub;
using Microsoft.Extensions.DependencyInjection;

namespace Apex.Integration.WebSocketRealtime;

/// <summary>
/// Plan item 25: an instance holds at most MaxConnections hub sockets, a tenant at most
/// MaxConnectionsPerTenant of them; a handshake beyond a limit is answered 503 with Retry-After
/// before any upgrade and admitted once capacity returns. Connections idle past IdleTimeout (on
/// the platform clock) are reaped. Refusals and disconnects are counted in metrics.
/// </summary>
[PlanItem(25)]
[BusinessValue("Platform operations", "Bounded, fairly shared connection capacity",
    "Resource efficiency worth $7K MRR cost optimization", "One tenant's burst cannot starve the others")]
public sealed class ConnectionPoolManagementTests(ConnectionPoolManagementTests.Host host) : IClassFixture<ConnectionPoolManagementTests.Host>
{
    public sealed class Host(PostgresServer postgres, RedisServer redis) : RealtimeHost(postgres, redis)
    {
        public const int MaxConnections = 4;
        public const int PerTenant = 2;
        public static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(30);
        public static readonly TimeSpan Sweep = TimeSpan.FromSeconds(5);

        protected override string Owner => "item25";

        protected override Task<Dictionary<string, string?>> SettingsAsync() => Task.FromResult(new Dictionary<string, string?>
        {
            ["Platform:Realtime:MaxConnections"] = MaxConnections.ToString(),
            ["Platform:Realtime:MaxConnectionsPerTenant"] = PerTenant.ToString(),
            ["Platform:Realtime:IdleTimeout"] = IdleTimeout.ToString(),
            ["Platform:Realtime:SweepInterval"] = Sweep.ToString(),
        });
    }

    private ConnectionAdmission Admission => host.A.Services.GetRequiredService<ConnectionAdmission>();

    [Fact]
    public async Task TenantBurstBeyondItsLimit_Gets503BeforeTheUpgrade_OtherTenantsDoNot_AndItIsAdmittedWhenASlotFrees()
    {
        await AllReleasedAsync();
        using var metrics = new MetricsProbe(host.A.Services);
        var tenant = Guid.NewGuid();
        var first = await HubClient.ConnectAsync(HubClient.Endpoint(host.A), host.TokenFor(RealtimeHost.NewUser(tenant)));
        await using var second = await HubClient.ConnectAsync(HubClient.Endpoint(host.A), host.TokenFor(RealtimeHost.NewUser(tenant)));

        var (status, retryAfter) = await RefusedAsync(host.TokenFor(RealtimeHost.NewUser(tenant)));
        await using var otherTenant = await HubClient.ConnectAsync(HubClient.Endpoint(host.A), host.TokenFor(RealtimeHost.NewUser()));
        await first.CloseAsync();
        await first.ClosedWithinAsync();
        await first.DisposeAsync();
        await Eventually.TrueAsync(() => Task.FromResult(Admission.OfTenant(tenant) == 1));
        await using var admitted = await HubClient.ConnectAsync(HubClient.Endpoint(host.A), host.TokenFor(RealtimeHost.NewUser(tenant)));

        Assert.Equal((HttpStatusCode.ServiceUnavailable, "1"), (status, retryAfter));
        Assert.Equal(HubFrameTypes.Welcome, admitted.Welcome.Type);
        Assert.Equal(1, metrics.Sum("apex.realtime.connections.refused", "tenant"));
        Assert.Equal(3, metrics.Observe("apex.realtime.connections"));
    }

    [Fact]
    public async Task InstanceAtItsLimit_RefusesEveryTenant_AndCountsTheRefusal()
    {
        await AllReleasedAsync();
        using var metrics = new MetricsProbe(host.A.Services);
        var clients = new List<HubClient>();
        for (var i = 0; i < Host.MaxConnections; i++) clients.Add(await HubClient.ConnectAsync(HubClient.Endpoint(host.A), host.TokenFor(RealtimeHost.NewUser())));

        var (status, _) = await RefusedAsync(host.TokenFor(RealtimeHost.NewUser()));
        foreach (var client in clients) await client.DisposeAsync();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal(1, metrics.Sum("apex.realtime.connections.refused", "instance"));
    }

    [Fact]
    public async Task IdleConnection_IsReapedAfterTheIdleTimeout_WhileAnActiveOneStays()
    {
        await AllReleasedAsync();
        using var metrics = new MetricsProbe(host.A.Services);
        var tenant = Guid.NewGuid();
        await using var idle = await HubClient.ConnectAsync(HubClient.Endpoint(host.A), host.TokenFor(RealtimeHost.NewUser(tenant)));
        await using var active = await HubClient.ConnectAsync(HubClient.Endpoint(host.A), host.TokenFor(RealtimeHost.NewUser(tenant)));

        host.Clock.Advance(Host.IdleTimeout - Host.Sweep);
        await active.SendAsync("echo", new { }, id: "still-here");
        await active.NextAsync("echo");
        // A sweep runs within every SweepInterval; two of them cover the idle one's deadline whatever the phase.
        host.Clock.Advance(Host.Sweep * 2);

        Assert.Equal(WebSocketCloseStatus.NormalClosure, await idle.ClosedWithinAsync());
        await active.SendAsync("echo", new { }, id: "after-sweep");
        Assert.Equal("after-sweep", (await active.NextAsync("echo")).Id);
        await Eventually.TrueAsync(() => Task.FromResult(metrics.Sum("apex.realtime.disconnects", "idle") == 1 && Admission.OfTenant(tenant) == 1));
    }

    private Task AllReleasedAsync() => Eventually.TrueAsync(() => Task.FromResult(Admission.Total == 0));

    private async Task<(HttpStatusCode Status, string? RetryAfter)> RefusedAsync(string token)
    {
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        socket.Options.SetRequestHeader("Authorization", $"Bearer {token}");
        await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(HubClient.Endpoint(host.A), HubClient.Cancel));
        return (socket.HttpStatusCode, socket.HttpResponseHeaders?.TryGetValue("Retry-After", out var values) == true ? values.FirstOrDefault() : null);
    }
}
