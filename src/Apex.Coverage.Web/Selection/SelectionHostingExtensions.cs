using Apex.Coverage.Web.Runs;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Apex.Coverage.Web.Selection;

public static class SelectionHostingExtensions
{
    /// <summary>Budgeted, MRR-weighted test selection: the scorer, the API, and the runs' budget (<see cref="IBudgetSelector"/>).</summary>
    public static IHostApplicationBuilder AddSelection(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<SelectionOptions>().BindConfiguration(SelectionOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<SelectionService>();
        services.TryAddSingleton<ReplayService>();
        services.TryAddSingleton<CoverageMap>();
        services.TryAddSingleton<GitChanges>();
        services.TryAddSingleton<IBudgetSelector>(provider => provider.GetRequiredService<SelectionService>());
        return builder;
    }

    public static IEndpointRouteBuilder MapSelection(this IEndpointRouteBuilder app) => app.MapSelectionApi();
}
