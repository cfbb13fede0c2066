using Apex.Platform.Agents.Aggregation;
using Apex.Platform.Agents.Audit;
using Apex.Platform.Agents.Caching;
using Apex.Platform.Agents.Context;
using Apex.Platform.Agents.Costs;
using Apex.Platform.Agents.Dependencies;
using Apex.Platform.Agents.Llm;
using Apex.Platform.Agents.Metrics;
using Apex.Platform.Agents.Queue;
using Apex.Platform.Agents.Versioning;
using Apex.Platform.Data;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;

namespace Apex.Platform.Agents;

/// <summary>
/// The supervisor's further capabilities (plan items 36-50), each in its own folder, registered
/// and mapped together from <see cref="AgentEndpoints"/>.
/// </summary>
public static class AgentCapabilities
{
    public static IServiceCollection AddAgentCapabilities(this IServiceCollection services)
    {
        services.AddOptions<AgentQueueOptions>().BindConfiguration(AgentQueueOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton<AggregationService>();
        services.TryAddSingleton<AgentWorkQueue>();
        services.TryAddSingleton<AgentQueueWorkers>();
        services.TryAddSingleton<AgentDependencyResolver>();
        services.TryAddSingleton<AgentAuditLog>();
        services.AddLlmPipeline();
        services.AddRunControls();
        services.AddSchema(34, "agent-audit", AgentAuditSchema.Sql);
        services.AddSchema(35, "agent-conflicts", AggregationService.Schema);
        services.AddSchema(36, "agent-queue", AgentWorkQueue.Schema);
        return services;
    }

    private static void AddRunControls(this IServiceCollection services)
    {
        services.AddOptions<Cancellation.RunTimeoutOptions>().BindConfiguration(Cancellation.RunTimeoutOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<Resources.AgentResourceOptions>().BindConfiguration(Resources.AgentResourceOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<Resources.WorkerScalingOptions>().BindConfiguration(Resources.WorkerScalingOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<Quality.QualityGateOptions>().BindConfiguration(Quality.QualityGateOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<Fallbacks.FallbackOptions>().BindConfiguration(Fallbacks.FallbackOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<Configuration.AgentConfigFileOptions>().BindConfiguration(Configuration.AgentConfigFileOptions.SectionName);
        services.TryAddSingleton<Cancellation.RunCancellations>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, Cancellation.RunCancellations>(sp => sp.GetRequiredService<Cancellation.RunCancellations>()));
        services.TryAddSingleton<Resources.AgentResourceManager>();
        services.TryAddSingleton<Resources.AgentWorkerScaler>();
        services.TryAddSingleton<Quality.QualityGate>();
        services.TryAddSingleton<Fallbacks.FallbackEvents>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, Fallbacks.FallbackChainLoader>());
        services.TryAddSingleton<Configuration.AgentConfigWatcher>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, Configuration.AgentConfigWatcher>(sp => sp.GetRequiredService<Configuration.AgentConfigWatcher>()));
        services.AddSingleton<IConfigureOptions<Configuration.AgentRuntimeOptions>>(sp => sp.GetRequiredService<Configuration.AgentConfigWatcher>());
        services.AddSingleton<IOptionsChangeTokenSource<Configuration.AgentRuntimeOptions>>(sp => sp.GetRequiredService<Configuration.AgentConfigWatcher>());
        services.AddSchema(39, "agent-quality", Quality.QualityGate.Schema);
        services.AddSchema(39, "agent-fallbacks", Fallbacks.FallbackEvents.Schema);
    }

    private static void AddLlmPipeline(this IServiceCollection services)
    {
        services.AddOptions<ContextWindowOptions>().BindConfiguration(ContextWindowOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<CostOptions>().BindConfiguration(CostOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<LlmCacheOptions>().BindConfiguration(LlmCacheOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<AgentMetricsOptions>().BindConfiguration(AgentMetricsOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton<ProviderHealth>();
        services.TryAddSingleton<ProviderHealthChecker>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, ProviderHealthChecker>(sp => sp.GetRequiredService<ProviderHealthChecker>()));
        services.TryAddSingleton<ContextWindowManager>();
        services.TryAddSingleton<ContextTrimStore>();
        services.TryAddSingleton<CostTracker>();
        services.TryAddSingleton<UsageReconciler>();
        services.TryAddSingleton<LlmResponseCache>();
        services.TryAddSingleton<LlmCacheWarmer>();
        services.TryAddSingleton<AgentMetrics>();
        // Only the agents' own meter, by its configured name, so figures of another platform in the same process stay out.
        services.AddOpenTelemetry().WithMetrics(metrics =>
        {
            metrics.AddPrometheusExporter(exporter => exporter.ScrapeResponseCacheDurationMilliseconds = 0);
            ((IDeferredMeterProviderBuilder)metrics).Configure((sp, builder) => builder.AddMeter(sp.GetRequiredService<IOptions<AgentMetricsOptions>>().Value.MeterName));
        });
        services.AddSchema(37, "agent-providers", ProviderHealth.Schema);
        services.AddSchema(38, "agent-context", ContextTrimStore.Schema);
        services.AddSchema(39, "agent-costs", CostTracker.Schema);
    }

    public static IEndpointRouteBuilder MapAgentCapabilities(this IEndpointRouteBuilder app)
    {
        app.MapAggregation();
        app.MapAgentDependencies();
        app.MapAgentAudit();
        app.MapAgentCompatibility();
        app.MapLlmPipeline();
        app.MapRunControls();
        return app;
    }
}
