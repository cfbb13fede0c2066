using Apex.Coverage.Web.Plan;
using Apex.Coverage.Web.Results;
using Apex.Coverage.Web.Telemetry;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Apex.Coverage.Web.Analytics;

public static class AnalyticsHostingExtensions
{
    /// <summary>Coverage analytics: statuses, flakiness, protected MRR, quarantine, trend, the coverage API.</summary>
    public static IHostApplicationBuilder AddAnalytics(this IHostApplicationBuilder builder)
    {
        builder.AddResults();
        builder.AddDashboardTelemetry();
        var services = builder.Services;
        services.AddOptions<AnalyticsOptions>()
            .BindConfiguration(AnalyticsOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<PlanCatalog>();
        services.TryAddSingleton<CoverageChanges>();
        services.AddHostedService<RunSignal>();
        services.TryAddSingleton<CoverageService>();
        services.TryAddSingleton<CoverageReportHub>();
        services.AddHostedService<TrendRecorder>();
        services.TryAddSingleton<CoverageTrend>();
        services.TryAddSingleton<QuarantineBook>();
        services.TryAddSingleton<TestListReader>();
        services.TryAddSingleton<MappingConflicts>();
        return builder;
    }

    public static IEndpointRouteBuilder MapAnalytics(this IEndpointRouteBuilder app) => app.MapCoverageApi().MapTestsApi().MapMappingConflictsApi();
}
