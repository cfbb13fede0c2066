using Apex.Platform.Caching;
using Apex.Platform.Data;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Apex.Integration.CacheStateManagement;

/// <summary>
/// One platform instance as far as caching goes: the production registrations (AddPlatformData,
/// AddRedis, AddPlatformCaching) in a generic host with its own Redis connection and L1, so two
/// nodes in one test behave like two servers sharing Redis and PostgreSQL.
/// </summary>
public sealed class CacheNode : IAsyncDisposable
{
    private readonly IHost _host;

    private CacheNode(IHost host) => _host = host;

    public IServiceProvider Services => _host.Services;

    public T Get<T>() where T : notnull => _host.Services.GetRequiredService<T>();

    /// <summary>Builds the node; <paramref name="beforeStart"/> sees its services before the hosted services (warm-up) run.</summary>
    public static async Task<CacheNode> StartAsync(IReadOnlyDictionary<string, string?> settings, TimeProvider clock, Action<IServiceProvider>? beforeStart = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Testing", DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.ClearProviders();
        builder.Services.AddPlatformData();
        builder.Services.AddRedis();
        builder.Services.AddPlatformCaching();
        builder.Services.Replace(ServiceDescriptor.Singleton(clock));
        var host = builder.Build();
        beforeStart?.Invoke(host.Services);
        await host.StartAsync(TestContext.Current.CancellationToken);
        return new CacheNode(host);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}
