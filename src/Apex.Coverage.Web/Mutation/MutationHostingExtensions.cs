using Apex.Coverage.Web.Plan;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Apex.Coverage.Web.Mutation;

public static class MutationHostingExtensions
{
    /// <summary>Mutation runs through Stryker.NET per plan item: store, worker, schedule, API, verified MRR.</summary>
    public static IHostApplicationBuilder AddMutation(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<MutationOptions>()
            .BindConfiguration(MutationOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<PlanCatalog>();
        services.TryAddSingleton<MutationStore>();
        services.TryAddSingleton<MutationProgress>();
        services.TryAddSingleton<MutationService>();
        services.TryAddSingleton<MutationTargetFinder>();
        services.TryAddSingleton<StrykerProcess>();
        services.TryAddSingleton<MutationExecution>();
        services.TryAddTransient<MutationScheduleJob>();
        services.AddHostedService<MutationWorker>();
        services.AddHostedService<MutationScheduleRegistration>();
        return builder;
    }

    public static IEndpointRouteBuilder MapMutation(this IEndpointRouteBuilder app) => app.MapMutationApi();
}
