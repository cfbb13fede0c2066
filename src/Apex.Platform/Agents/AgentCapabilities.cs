using Apex.Platform.Agents.Aggregation;
using Apex.Platform.Agents.Audit;
using Apex.Platform.Agents.Dependencies;
using Apex.Platform.Agents.Queue;
using Apex.Platform.Agents.Versioning;
using Apex.Platform.Data;
using Microsoft.Extensions.DependencyInjection.Extensions;

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
        services.AddSchema(34, "agent-audit", AgentAuditSchema.Sql);
        services.AddSchema(35, "agent-conflicts", AggregationService.Schema);
        services.AddSchema(36, "agent-queue", AgentWorkQueue.Schema);
        return services;
    }

    public static IEndpointRouteBuilder MapAgentCapabilities(this IEndpointRouteBuilder app)
    {
        app.MapAggregation();
        app.MapAgentDependencies();
        app.MapAgentAudit();
        app.MapAgentCompatibility();
        return app;
    }
}
