using Apex.Platform.Agents;
using Apex.Platform.Auth;
using Apex.Platform.Backend;
using Apex.Platform.Billing;
using Apex.Platform.Caching;
using Apex.Platform.Data;
using Apex.Platform.Data.Pooling;
using Apex.Platform.Metering;
using Apex.Platform.Performance;
using Apex.Platform.Realtime;
using Apex.Platform.Resilience;

namespace Apex.Platform;

/// <summary>Composes the platform's capabilities; each folder brings its own AddXxx / MapXxx.</summary>
public static class PlatformComposition
{
    public static WebApplicationBuilder AddPlatform(this WebApplicationBuilder builder)
    {
        var services = PlatformServicesOptions.Enabled(builder.Configuration);
        builder.Services.AddProblemDetails();
        builder.Services.AddPlatformData();
        builder.Services.AddRedis();
        builder.Services.AddPlatformAuthentication(builder.Configuration);
        if (services.Contains("auth")) builder.Services.AddAuthService();
        if (services.Contains("realtime")) builder.Services.AddRealtime();
        if (services.Contains("backend")) builder.Services.AddBackend();
        if (services.Contains("agents")) builder.Services.AddAgents();
        if (services.Contains("billing")) builder.Services.AddBilling();
        if (services.Contains("metering")) builder.Services.AddMetering();
        if (services.Contains("billing") && services.Contains("metering")) builder.Services.AddUsageBilling();
        if (services.Contains("cache")) builder.Services.AddPlatformCaching();
        if (services.Contains("resilience")) builder.Services.AddResilience(builder.Configuration);
        if (services.Contains("performance")) builder.Services.AddPerformance();
        if (services.Contains("data")) builder.Services.AddDataCoordination();
        return builder;
    }

    public static WebApplication MapPlatform(this WebApplication app)
    {
        var services = PlatformServicesOptions.Enabled(app.Configuration);
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        if (services.Contains("performance")) app.UsePerformance();
        app.UseWebSockets();
        app.UsePlatformAuthentication();
        app.UseAuthorization();
        app.MapGet("/health", () => TypedResults.Ok(new { status = "ok" }));
        app.MapPlatformAccess();
        if (services.Contains("auth")) app.MapAuth();
        if (services.Contains("realtime")) app.MapRealtime();
        if (services.Contains("backend")) app.MapBackend();
        if (services.Contains("agents")) app.MapAgents();
        if (services.Contains("billing")) app.MapBilling();
        if (services.Contains("metering")) app.MapMetering();
        if (services.Contains("cache")) app.MapCaching();
        if (services.Contains("resilience")) app.MapResilience();
        if (services.Contains("performance")) app.MapPerformance();
        if (services.Contains("data")) app.MapDataCoordination();
        return app;
    }
}
