using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Apex.Coverage.Web.Alerts;

public static class AlertsHostingExtensions
{
    /// <summary>Webhooks when protected MRR drops, an item turns failing or a test turns flaky on the default branch.</summary>
    public static IHostApplicationBuilder AddAlerts(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<AlertsOptions>().BindConfiguration(AlertsOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        // Retries are the sender's own Polly pipeline (it counts attempts for the history), not a handler's.
        services.AddHttpClient(WebhookSender.ClientName);
        services.TryAddSingleton<WebhookSender>();
        services.TryAddSingleton<WebhookBook>();
        services.TryAddSingleton<AlertWatcher>();
        services.AddHostedService(provider => provider.GetRequiredService<AlertWatcher>());
        return builder;
    }

    public static IEndpointRouteBuilder MapAlerts(this IEndpointRouteBuilder app) => app.MapAlertsApi();
}
