using Apex.Coverage.Web.Results;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Apex.Coverage.Web.Suites;

public static class SuitesHostingExtensions
{
    /// <summary>The configured suites (validated at start), their build and their discovery.</summary>
    public static IHostApplicationBuilder AddSuites(this IHostApplicationBuilder builder)
    {
        builder.AddResults();
        var services = builder.Services;
        services.AddOptions<SuitesOptions>().BindConfiguration(SuitesOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SuitesOptions>, SuitesOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<SuiteCatalog>();
        services.TryAddSingleton<SuiteBuilder>();
        services.TryAddSingleton<SuiteDiscovery>();
        return builder;
    }
}
