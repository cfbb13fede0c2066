using System.Net.Http.Json;
using Apex.Integration.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Apex.Integration.ErrorRecoveryResilience.Support;

/// <summary>Starting resilience services and talking to them, as the tests of this category do over and over.</summary>
internal static class ResilienceApi
{
    public static CancellationToken Cancel => TestContext.Current.CancellationToken;

    /// <summary>A platform process hosting the resilience capability as the named service, on the given clock.</summary>
    public static Task<PlatformInstance> StartServiceAsync(string database, string redis, string prefix, string service,
        TimeProvider clock, IReadOnlyDictionary<string, string?> extra, params string[] services)
    {
        var settings = new Dictionary<string, string?>(extra) { ["Platform:Resilience:ServiceName"] = service };
        return PlatformInstance.StartAsync(new PlatformSettings(database, redis, prefix)
        {
            Services = services.Length > 0 ? services : ["resilience"],
            Extra = settings,
        }, s => s.Replace(ServiceDescriptor.Singleton(clock)));
    }

    public static async Task<(HttpResponseMessage Response, T Body)> GetJsonAsync<T>(this PlatformInstance platform, string path)
    {
        var response = await platform.Client.GetAsync(path, Cancel);
        return (response, (await response.Content.ReadFromJsonAsync<T>(Cancel))!);
    }

    public static async Task<T> ReadJsonAsync<T>(this HttpResponseMessage response) => (await response.Content.ReadFromJsonAsync<T>(Cancel))!;
}
