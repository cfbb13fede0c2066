using System.Net;
using Apex.Integration.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Configuration;

namespace Apex.Integration.WebSocketRealtime;

/// <summary>
/// A real reverse proxy in front of hub instances, started by the test: YARP on Kestrel on a free
/// loopback port (its own host, on the wall clock, as a load balancer would be), round robin for new
/// clients, sticky sessions by a hash cookie (redistributed when the chosen instance is out), and an
/// active probe of each instance's readiness (/health/realtime/ready, 503 once it drains).
/// </summary>
public sealed class HubProxy : IAsyncDisposable
{
    public const string AffinityCookie = ".Apex.Hub";
    private readonly WebApplication _app;

    private HubProxy(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public Uri HubEndpoint => new($"ws://{BaseAddress.Authority}/realtime");

    public static async Task<HubProxy> StartAsync(params (string Name, PlatformInstance Instance)[] destinations)
    {
        var builder = WebApplication.CreateSlimBuilder(TestHosts.NoConfigWatch);
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        builder.Services.AddReverseProxy().LoadFromMemory(
            [new RouteConfig { RouteId = "hub", ClusterId = "hub", Match = new RouteMatch { Path = "{**catch-all}" } }],
            [Cluster(destinations)]);
        var app = builder.Build();
        app.MapReverseProxy();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new HubProxy(app, new Uri(address + "/"));
    }

    private static ClusterConfig Cluster((string Name, PlatformInstance Instance)[] destinations) => new()
    {
        ClusterId = "hub",
        LoadBalancingPolicy = "RoundRobin",
        SessionAffinity = new SessionAffinityConfig { Enabled = true, Policy = "HashCookie", AffinityKeyName = AffinityCookie, FailurePolicy = "Redistribute" },
        HealthCheck = new HealthCheckConfig
        {
            Active = new ActiveHealthCheckConfig
            {
                Enabled = true, Interval = TimeSpan.FromMilliseconds(250), Timeout = TimeSpan.FromSeconds(2), Policy = "ConsecutiveFailures", Path = "/health/realtime/ready",
            },
        },
        Metadata = new Dictionary<string, string> { ["ConsecutiveFailuresHealthPolicy.Threshold"] = "1" },
        Destinations = destinations.ToDictionary(d => d.Name, d => new DestinationConfig { Address = d.Instance.BaseAddress.ToString() }),
    };

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
