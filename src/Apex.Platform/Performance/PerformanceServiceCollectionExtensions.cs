using Apex.Platform.Performance.Load;
using Apex.Platform.Performance.Startup;

namespace Apex.Platform.Performance;

/// <summary>
/// The performance capability hosted by the platform: readiness gating and start profiling,
/// WebSocket admission control, the resource monitor and its bottleneck detector. The other
/// Performance components (pipelines, analyzers, tuners, monitors) are libraries the services use.
/// </summary>
public static class PerformanceServiceCollectionExtensions
{
    public static IServiceCollection AddPerformance(this IServiceCollection services)
    {
        services.AddOptions<LoadOptions>().BindConfiguration(LoadOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(new StartupProfiler(TimeProvider.System, TimeProvider.System.GetTimestamp()));
        services.AddSingleton<ReadinessState>();
        services.AddSingleton<DependencyProbe>();
        services.AddHostedService<ReadinessProbeService>();
        services.AddSingleton<ConnectionAdmission>();
        services.AddSingleton<ResourceMonitor>();
        services.AddSingleton<BottleneckDetector>();
        return services;
    }

    /// <summary>First in the pipeline: nothing is served before readiness, and no socket beyond the limit is accepted.</summary>
    public static WebApplication UsePerformance(this WebApplication app)
    {
        app.UseMiddleware<ReadinessGate>();
        app.UseMiddleware<ConnectionAdmissionMiddleware>();
        return app;
    }

    public static WebApplication MapPerformance(this WebApplication app)
    {
        app.MapStartup();
        app.MapLoad();
        return app;
    }
}
