using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Apex.Coverage.Web.CodeCoverage;

public static class CodeCoverageHostingExtensions
{
    /// <summary>Code coverage: collector settings for runs that ask, the report reader and store, the file API.</summary>
    public static IHostApplicationBuilder AddCodeCoverage(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<CodeCoverageOptions>()
            .BindConfiguration(CodeCoverageOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<CodeCoverageRunSettings>();
        services.TryAddSingleton<CodeCoverageRecorder>();
        services.TryAddSingleton<CodeCoverageStore>();
        return builder;
    }

    public static IEndpointRouteBuilder MapCodeCoverage(this IEndpointRouteBuilder app) => app.MapCodeCoverageApi();
}
