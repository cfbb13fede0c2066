using System.Net;
using System.Net.WebSockets;
using Apex.Integration.Infrastructure;
using Apex.Platform.Realtime.Client;
using Apex.Platform.Realtime.Delivery;
using Apex.Platform.Realtime.Hub;
using Microsoft.Extensions.DependencyInjection;

namespace Apex.Integration.WebSocketRealtime;

/// <summary>
/// Plan item 29: two hub instances behind a real reverse proxy (YARP, in-process, on loopback).
/// New connections are spread over both; the proxy's affinity cookie keeps a client's reconnects
/// on its instance; when that instance stops, its clients reconnect through the proxy, land on the
/// other instance and resume their sessions there (item 18) without losing or repeating a message.
/// </summary>
[PlanItem(29)]
[BusinessValue("All tiers", "The real-time tier scales out behind a load balancer",
    "Scalability worth $12K MRR growth support", "Capacity grows by adding instances, and losing one loses no user state")]
public sealed class LoadBalancingTests(LoadBalancingTests.Host host) : IClassFixture<LoadBalancingTests.Host>
{
    public sealed class Host(PostgresServer postgres, RedisServer redis) : RealtimeHost(postgres, redis)
    {
        public HubProxy Proxy { get; private set; } = null!;

        protected override string Owner => "item29";

        protected override int Instances => 2;

        public override async ValueTask InitializeAsync()
        {
            await base.InitializeAsync();
            Proxy = Own(await HubProxy.StartAsync(("a", A), ("b", B)));
        }
    }

    [Fact]
    public async Task Connect_SpreadsNewClientsOverBothInstances_WhenTheyHaveNoAffinityCookie()
    {
        var instances = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            await using var client = await HubClient.ConnectAsync(host.Proxy.HubEndpoint, host.TokenFor(RealtimeHost.NewUser()));
            instances.Add(client.Instance);
        }

        Assert.Equal(2, instances.Count(i => i == "a"));
        Assert.Equal(2, instances.Count(i => i == "b"));
    }

    [Fact]
    public async Task Connect_KeepsAClientOnItsInstance_WhenItSendsTheAffinityCookie()
    {
        var cookies = new CookieContainer();
        var token = host.TokenFor(RealtimeHost.NewUser());
        var instances = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            await using var client = await HubClient.ConnectAsync(host.Proxy.HubEndpoint, token, o => o.Cookies = cookies);
            instances.Add(client.Instance);
        }

        Assert.NotNull(cookies.GetAllCookies()[HubProxy.AffinityCookie]);
        Assert.Single(instances.Distinct());
    }

    [Fact]
    public async Task StoppingAnInstance_MovesItsClientsThroughTheProxyToTheOther_WithTheirSessionsAndEveryMessageOnce()
    {
        var leaving = new StoppableInstance(await host.StartInstanceAsync("c"));
        await using var stopOnFailure = leaving;
        await using var proxy = await HubProxy.StartAsync(("a", host.A), ("c", leaving.Instance));
        await using var clients = new ResumingClients();
        var users = new[] { RealtimeHost.NewUser(), RealtimeHost.NewUser() };
        var started = new List<(ReconnectingHubClient Client, HubFrame Welcome)>();
        foreach (var user in users) started.Add(await ClientOnAsync(clients, proxy, host.TokenFor(user), "c"));
        var router = host.A.Services.GetRequiredService<MessageRouter>();

        await ResumingClients.RouteAsync(router, users, 1, 10);
        var before = await Task.WhenAll(started.Select(s => ResumingClients.ReadMessagesAsync(s.Client, 10)));
        var stopping = leaving.StopAsync();
        await ResumingClients.RouteAsync(router, users, 11, 20);
        await stopping.WaitAsync(TimeSpan.FromSeconds(30), HubClient.Cancel);
        await ResumingClients.RouteAsync(router, users, 21, 31);
        var after = await Task.WhenAll(started.Select(s => ResumingClients.ReadMessagesAsync(s.Client, 21)));
        var resumed = await Task.WhenAll(started.Select(s => HubClient.WithinAsync(s.Client.Welcomes)));

        for (var i = 0; i < started.Count; i++) await AssertMovedToAAsync(proxy, users[i], started[i], [.. before[i], .. after[i]], resumed[i]);
    }

    /// <summary>The client got messages 1-31, resumed its session on a, and the proxy's cookie now sends it to a.</summary>
    private async Task AssertMovedToAAsync(HubProxy proxy, Apex.Platform.Auth.PlatformUser user, (ReconnectingHubClient Client, HubFrame Welcome) started, List<HubFrame> all, HubFrame resumed)
    {
        // The proxy moved the affinity cookie to the instance that took the client over.
        await using var next = await HubClient.ConnectAsync(proxy.HubEndpoint, host.TokenFor(user), o => o.Cookies = started.Client.Cookies);
        Assert.Equal(Enumerable.Range(1, 31), ResumingClients.Numbers(all));
        Assert.Equal(("a", Session(started.Welcome)), (Instance(resumed), Session(resumed)));
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, started.Client.Closes[0]);
        Assert.Equal("a", next.Instance);
    }

    // Round robin: a new client (no cookie yet) lands on the wanted instance within two tries.
    private static async Task<(ReconnectingHubClient Client, HubFrame Welcome)> ClientOnAsync(ResumingClients clients, HubProxy proxy, string token, string instance)
    {
        for (var attempt = 0; attempt < 4; attempt++)
        {
            var (client, welcome) = await clients.StartAsync([proxy.BaseAddress], token);
            if (Instance(welcome) == instance) return (client, welcome);
            await clients.DropAsync(client);
        }

        throw new InvalidOperationException($"No connection landed on {instance}.");
    }

    private static string Instance(HubFrame welcome) => welcome.Data!.Value.GetProperty("instance").GetString()!;

    private static string Session(HubFrame welcome) => welcome.Data!.Value.GetProperty("sessionId").GetString()!;
}
