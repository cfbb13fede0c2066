using Apex.Coverage.Web.Data;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Apex.Coverage.Web.Plan;

public static class PlanHostingExtensions
{
    /// <summary>The plan catalog: parser, importer, start-up import and file watch, history.</summary>
    public static IHostApplicationBuilder AddPlan(this IHostApplicationBuilder builder)
    {
        builder.AddCoverageData();
        var services = builder.Services;
        services.AddOptions<PlanOptions>()
            .BindConfiguration(PlanOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<PlanCatalog>();
        services.TryAddSingleton<PlanImporter>();
        services.TryAddSingleton<PlanHistory>();
        services.AddHostedService<PlanFileWatcher>();
        return builder;
    }
}
