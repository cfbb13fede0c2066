using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Apex.Platform.Resilience.ErrorRates;

public static class ErrorRateEndpoints
{
    public static IServiceCollection AddErrorRateLimiting(this IServiceCollection services)
    {
        services.AddOptions<ErrorRateOptions>().BindConfiguration(ErrorRateOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddHttpClient(nameof(AlertManager));
        services.AddHttpClient(nameof(NotificationSender), (sp, client) =>
            client.BaseAddress = new Uri(sp.GetRequiredService<IOptions<ErrorRateOptions>>().Value.Provider));
        services.TryAddSingleton(sp => ActivatorUtilities.CreateInstance<AlertManager>(sp, Client(sp, nameof(AlertManager))));
        // One sender per process: its breaker's window is the process's error rate.
        services.TryAddSingleton(sp => ActivatorUtilities.CreateInstance<NotificationSender>(sp, Client(sp, nameof(NotificationSender))));
        return services;
    }

    private static HttpClient Client(IServiceProvider services, string name) => services.GetRequiredService<IHttpClientFactory>().CreateClient(name);

    public static IEndpointRouteBuilder MapErrorRateLimiting(this IEndpointRouteBuilder app)
    {
        app.MapPost("/resilience/notifications", (NotificationRequest notification, NotificationSender sender, CancellationToken ct) =>
            sender.SendAsync(notification, ct));
        app.MapGet("/resilience/notifications/state", (NotificationSender sender) => TypedResults.Ok(new { state = sender.State }));
        return app;
    }
}
