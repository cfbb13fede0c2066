using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Apex.Coverage.Web.Coverage;

public static class CoverageHostingExtensions
{
    /// <summary>Code coverage: collector settings for runs that ask, the report reader and store, the file API.</summary>
    public static IHostApplicationBuilder AddCodeCoverage(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<CoverageOptions>()
            .BindConfiguration(CoverageOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<CoverageRunSettings>();
        services.TryAddSingleton<CoverageRecorder>();
        services.TryAddSingleton<CodeCoverageStore>();
        return builder;
    }

    public static IEndpointRouteBuilder MapCodeCoverage(this IEndpointRouteBuilder app) => app.MapCodeCoverageApi();
}
