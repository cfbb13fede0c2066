using Apex.Coverage.Web.Plan;
using Apex.Coverage.Web.Runs;
using Apex.Coverage.Web.Suites;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Apex.Coverage.Web.Standards;

public static class StandardsHostingExtensions
{
    /// <summary>The plan's testing standards checked against the suite's own source (Roslyn, syntax only).</summary>
    public static IHostApplicationBuilder AddStandards(this IHostApplicationBuilder builder)
    {
        builder.AddSuites();
        var services = builder.Services;
        services.AddOptions<StandardsOptions>()
            .BindConfiguration(StandardsOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<PlanCatalog>();
        services.TryAddSingleton(sp => StandardsSuite.Resolve(sp.GetRequiredService<SuiteCatalog>(),
            sp.GetRequiredService<IOptions<StandardsOptions>>().Value, sp.GetRequiredService<IOptions<RunsOptions>>().Value,
            sp.GetRequiredService<IHostEnvironment>()));
        services.TryAddSingleton<StandardsService>();
        return builder;
    }
}
