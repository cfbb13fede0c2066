using System.Net;
using System.Net.WebSockets;
using Apex.Integration.Infrastructure;
using Apex.Platform.Auth;
using Apex.Platform.Realtime.Client;
using Apex.Platform.Realtime.Delivery;
using Apex.Platform.Realtime.Hub;
using Apex.Platform.Realtime.Shutdown;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace Apex.Integration.WebSocketRealtime;

/// <summary>
/// Plan item 30: stopping an instance stops it accepting hub handshakes (503), persists each
/// session's delivery position, sends what is queued and then close 1001 to every client, and
/// drops clients that do not answer the close within the drain timeout. Clients reconnect to
/// another instance and resume their sessions there with nothing lost and nothing twice.
/// </summary>
[PlanItem(30)]
[BusinessValue("All tiers", "Deploys without losing real-time messages",
    "Clean shutdown worth $5K MRR data integrity", "Zero-downtime releases of the real-time tier")]
public sealed class GracefulShutdownTests(GracefulShutdownTests.Host host) : IClassFixture<GracefulShutdownTests.Host>
{
    public sealed class Host(PostgresServer postgres, RedisServer redis) : RealtimeHost(postgres, redis)
    {
        public ConnectionMultiplexer Connection { get; private set; } = null!;

        protected override string Owner => "item30";

        protected override Task<Dictionary<string, string?>> SettingsAsync() =>
            Task.FromResult(new Dictionary<string, string?> { ["Platform:Realtime:ShutdownDrainTimeout"] = "00:00:02" });

        public override async ValueTask InitializeAsync()
        {
            await base.InitializeAsync();
            Connection = Own(await Redis.ConnectAsync());
        }
    }

    [Fact]
    public async Task Stopping_ClosesEveryClientWith1001_RefusesNewHandshakesMeanwhile_AndDropsClientsThatDoNotAnswer()
    {
        var leaving = await host.StartInstanceAsync("leaving");
        var polite = new List<HubClient>();
        for (var i = 0; i < 3; i++) polite.Add(await HubClient.ConnectAsync(HubClient.Endpoint(leaving), host.TokenFor(RealtimeHost.NewUser())));
        // Never reads, so never answers the close: the instance must not wait for it forever.
        await using var deaf = await HubClient.ConnectAsync(HubClient.Endpoint(leaving), host.TokenFor(RealtimeHost.NewUser()), read: false);

        var stopping = leaving.DisposeAsync().AsTask();
        var closes = await Task.WhenAll(polite.Select(c => c.ClosedWithinAsync()));
        var duringStop = await HandshakeStatusAsync(leaving, host.TokenFor(RealtimeHost.NewUser()));
        await stopping.WaitAsync(TimeSpan.FromSeconds(30), HubClient.Cancel);

        Assert.All(closes, c => Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, c));
        Assert.All(polite, c => Assert.Equal(HubShutdownCoordinator.GoingAwayReason, c.Socket.CloseStatusDescription));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, duringStop);
        foreach (var client in polite) await client.DisposeAsync();
    }

    [Fact]
    public async Task Stopping_ClientsResumeOnAnotherInstance_AndGetEveryMessageOnceAndInOrder()
    {
        var leaving = new StoppableInstance(await host.StartInstanceAsync("leaving"));
        await using var stopOnFailure = leaving;
        await using var clients = new ResumingClients();
        var users = Enumerable.Range(0, 3).Select(_ => RealtimeHost.NewUser()).ToArray();
        var started = new List<(ReconnectingHubClient Client, HubFrame Welcome)>();
        foreach (var user in users) started.Add(await clients.StartAsync([leaving.Instance.BaseAddress, host.A.BaseAddress], host.TokenFor(user)));
        var router = host.A.Services.GetRequiredService<MessageRouter>();

        // Some messages before the stop, some while it drains, some after it: each client must get all of them.
        await ResumingClients.RouteAsync(router, users, 1, 10);
        var before = await Task.WhenAll(started.Select(s => ResumingClients.ReadMessagesAsync(s.Client, 10)));
        var stopping = leaving.StopAsync();
        await ResumingClients.RouteAsync(router, users, 11, 20);
        await stopping.WaitAsync(TimeSpan.FromSeconds(30), HubClient.Cancel);
        await ResumingClients.RouteAsync(router, users, 21, 31);
        var after = await Task.WhenAll(started.Select(s => ResumingClients.ReadMessagesAsync(s.Client, 21)));
        var resumed = await Task.WhenAll(started.Select(s => HubClient.WithinAsync(s.Client.Welcomes)));

        for (var i = 0; i < started.Count; i++) AssertResumedWithEveryMessage(started[i], [.. before[i], .. after[i]], resumed[i]);
    }

    /// <summary>The client got messages 1-31 once and in order, and resumed its session on instance a after the stop closed it.</summary>
    private static void AssertResumedWithEveryMessage((ReconnectingHubClient Client, HubFrame Welcome) started, List<HubFrame> all, HubFrame resumed)
    {
        Assert.Equal(Enumerable.Range(1, 31), ResumingClients.Numbers(all));
        Assert.Equal(Enumerable.Range(1, 31).Select(n => (long)n), all.Select(m => m.Seq!.Value));
        Assert.Equal(("leaving", "a"), (Instance(started.Welcome), Instance(resumed)));
        Assert.Equal(Session(started.Welcome), Session(resumed));
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, started.Client.Closes[0]);
    }

    // The shutdown works on a snapshot of the open connections; one may end (and its request finish)
    // before the shutdown reaches it. Closing or aborting it then must be a no-op, not an exception
    // that stops the host's shutdown half-way (seen as cleanup failures of whole-suite runs).
    [Fact]
    public async Task CloseAndAbort_AreNoOps_WhenTheConnectionEndedAndItsRequestFinished()
    {
        using var socket = WebSocket.CreateFromStream(new MemoryStream(), new WebSocketCreationOptions { IsServer = true });
        using var request = new CancellationTokenSource();
        var user = new UserContext(Guid.NewGuid(), Guid.NewGuid(), "session", "token");
        var connection = new HubConnection("connection", "hub-session", user, socket, new HubOptions(), TimeProvider.System, request.Token);
        connection.Ended();
        await connection.DisposeAsync();
        socket.Dispose();

        connection.Close((int)WebSocketCloseStatus.EndpointUnavailable, HubShutdownCoordinator.GoingAwayReason, "shutdown");
        connection.Abort("shutdown-timeout");

        Assert.True(connection.Lifetime.IsCancellationRequested);
        Assert.Equal("shutdown", connection.EndReason);
    }

    private static async Task<HttpStatusCode> HandshakeStatusAsync(PlatformInstance instance, string token)
    {
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        socket.Options.SetRequestHeader("Authorization", $"Bearer {token}");
        try
        {
            await socket.ConnectAsync(HubClient.Endpoint(instance), HubClient.Cancel);
        }
        catch (WebSocketException)
        {
        }

        return socket.HttpStatusCode;
    }

    private static string Instance(HubFrame welcome) => welcome.Data!.Value.GetProperty("instance").GetString()!;

    private static string Session(HubFrame welcome) => welcome.Data!.Value.GetProperty("sessionId").GetString()!;
}
