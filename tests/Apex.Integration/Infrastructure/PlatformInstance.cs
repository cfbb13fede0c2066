using System.Net;
using Apex.Platform;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Apex.Integration.Infrastructure;

/// <summary>
/// A real Apex.Platform process-in-process: the production composition (AddPlatform/MapPlatform)
/// on Kestrel, on a free loopback port, so HTTP and WebSockets go over real sockets.
/// </summary>
public sealed class PlatformInstance : IAsyncDisposable
{
    private readonly WebApplication _app;

    private PlatformInstance(WebApplication app, Uri baseAddress, ErrorLog errors)
    {
        _app = app;
        Errors = errors;
        BaseAddress = baseAddress;
        Client = new HttpClient { BaseAddress = baseAddress };
    }

    public Uri BaseAddress { get; }

    /// <summary>What this instance logged at Error or above: put it in an assertion's message to say why a call failed.</summary>
    public ErrorLog Errors { get; }

    /// <summary>A client for this instance; requests carry no token unless the test adds one.</summary>
    public HttpClient Client { get; }

    public IServiceProvider Services => _app.Services;

    public Uri WebSocketUri(string path) => new($"ws://{BaseAddress.Authority}{path}");

    public static async Task<PlatformInstance> StartAsync(PlatformSettings settings, Action<IServiceCollection>? services = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            EnvironmentName = "Testing",
            ApplicationName = typeof(PlatformComposition).Assembly.GetName().Name,
            Args = TestHosts.NoConfigWatch,
        });
        builder.Configuration.AddInMemoryCollection(settings.ToConfiguration());
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var errors = new ErrorLog();
        builder.Logging.AddProvider(errors);
        builder.AddPlatform();
        services?.Invoke(builder.Services);
        var app = builder.Build();
        app.MapPlatform();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new PlatformInstance(app, new Uri(address + "/"), errors);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
