using System.Text.Json;
using Apex.Platform.Data;
using Apex.Platform.Realtime.Admission;
using Apex.Platform.Realtime.Delivery;
using Apex.Platform.Realtime.Downstream;
using Apex.Platform.Realtime.Handshake;
using Apex.Platform.Realtime.Health;
using Apex.Platform.Realtime.Heartbeat;
using Apex.Platform.Realtime.Ordering;
using Apex.Platform.Realtime.Shutdown;
using Apex.Platform.Realtime.Storage;
using Apex.Platform.Realtime.Tabs;
using Apex.Platform.Realtime.Uploads;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Apex.Platform.Realtime.Hub;

public static class HubServiceCollectionExtensions
{
    public const string HealthTag = "realtime";

    /// <summary>The real-time hub: sessions with replay in Redis, the delivery queue, heartbeats, limits, health and metrics.</summary>
    public static IServiceCollection AddRealtimeHub(this IServiceCollection services)
    {
        services.AddOptions<HubOptions>().BindConfiguration(HubOptions.SectionName).ValidateDataAnnotations()
            .Validate(HubOptions.NestedAreValid, "A Platform:Realtime sub-section (Heartbeat, Leader, Queue, Ordering, Downstream) has a value out of range.").ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        foreach (var type in new[] { typeof(HubInstance), typeof(HubRegistry), typeof(ConnectionAdmission), typeof(HubSessions), typeof(MessageRouter),
                     typeof(HubDispatcher), typeof(HubHost), typeof(HubMetrics), typeof(HeartbeatStats), typeof(RealtimeQueue),
                     typeof(TokenLifetimeFeature), typeof(HeartbeatFeature), typeof(SessionDelivery) })
        {
            services.TryAddSingleton(type);
        }

        services.AddHubFeature<TokenLifetimeFeature>().AddHubFeature<HeartbeatFeature>().AddHubFeature<SessionDelivery>();
        services.AddHubHandler<TokenLifetimeFeature>().AddHubHandler<HeartbeatFeature>();
        services.AddSingleton<IHubHandler, EchoHandler>();
        services.AddSingleton<IHubHandler, DeliveryHandlers>();
        services.AddScoped<MessageTransaction>();
        services.AddSchema(160, "realtime-notes", NotesHandler.Schema);
        services.AddHubHandler<NotesHandler>();
        services.AddHubHandler<OrderedStreams>().AddHubFeature<OrderedStreams>();
        services.AddHttpClient(nameof(QuoteHandler));
        services.AddHubHandler<QuoteHandler>();
        services.AddHubFeature<TabLeaderElection>().AddHubHandler<TabLeaderElection>();
        services.AddSchema(161, "realtime-uploads", ChunkedUploads.Schema);
        services.AddHubHandler<ChunkedUploads>();
        services.AddSingleton<IHubBinaryHandler>(sp => sp.GetRequiredService<ChunkedUploads>());
        services.AddHostedService<DeliveryListener>();
        services.AddHostedService(sp => sp.GetRequiredService<RealtimeQueue>());
        services.AddHostedService<IdleReaper>();
        services.AddHostedService<HubShutdownCoordinator>();
        services.AddHealthChecks().AddCheck<HubHealthCheck>("realtime-hub", tags: [HealthTag]);
        return services;
    }

    public static IServiceCollection AddHubFeature<T>(this IServiceCollection services) where T : class, IHubConnectionFeature
    {
        services.TryAddSingleton<T>();
        services.AddSingleton<IHubConnectionFeature>(sp => sp.GetRequiredService<T>());
        return services;
    }

    public static IServiceCollection AddHubHandler<T>(this IServiceCollection services) where T : class, IHubHandler
    {
        services.TryAddSingleton<T>();
        services.AddSingleton<IHubHandler>(sp => sp.GetRequiredService<T>());
        return services;
    }

    /// <summary>GET /realtime (authorized like any request: a bad token gets 401 before any upgrade) and GET /health/realtime.</summary>
    public static IEndpointRouteBuilder MapRealtimeHub(this IEndpointRouteBuilder app)
    {
        app.MapGet("/realtime", (HttpContext http, HubHost host) => host.HandleAsync(http)).RequireAuthorization();
        app.MapHealthChecks("/health/realtime", new HealthCheckOptions { Predicate = r => r.Tags.Contains(HealthTag), ResponseWriter = WriteHealthAsync });
        app.MapGet("/health/realtime/ready", Readiness);
        return app;
    }

    // For load balancers: 503 from the moment the instance drains for shutdown, so new clients and
    // reconnects go elsewhere; a stalled client (Degraded above) is no reason to take it out.
    private static IResult Readiness(HubInstance instance) => instance.Accepting
        ? TypedResults.Text("ready")
        : TypedResults.Problem("Draining for shutdown.", statusCode: StatusCodes.Status503ServiceUnavailable);

    private static Task WriteHealthAsync(HttpContext http, HealthReport report)
    {
        http.Response.ContentType = "application/json";
        var entries = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), description = e.Value.Description, data = e.Value.Data });
        return http.Response.WriteAsync(JsonSerializer.Serialize(new { status = report.Status.ToString(), entries }, HubFrame.Json));
    }
}
