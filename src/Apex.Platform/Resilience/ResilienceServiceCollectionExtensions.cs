using Apex.Platform.Resilience.Circuits;
using Apex.Platform.Resilience.Errors;
using Apex.Platform.Resilience.Retries;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Apex.Platform.Resilience;

/// <summary>
/// The resilience capability: what every resilience process hosts (error aggregation, the ledger,
/// the circuit registry), and the components that need an address, each on when its section is
/// configured (docs/adr/0140).
/// </summary>
public static class ResilienceServiceCollectionExtensions
{
    public static IServiceCollection AddResilience(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ResilienceOptions>().BindConfiguration(ResilienceOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddCircuitRegistry();
        services.AddErrorAggregation();
        services.AddLedger();
        if (ResilienceOptions.Configured(configuration, ChainOptions.SectionName)) services.AddCircuitChain();
        if (ResilienceOptions.Configured(configuration, RetryOptions.SectionName)) services.AddRetryingTransfers();
        return services;
    }

    public static WebApplication MapResilience(this WebApplication app)
    {
        app.MapCircuits();
        app.MapErrorAggregation();
        app.MapLedger();
        if (ResilienceOptions.Configured(app.Configuration, ChainOptions.SectionName)) app.MapCircuitChain();
        if (ResilienceOptions.Configured(app.Configuration, RetryOptions.SectionName)) app.MapRetryingTransfers();
        return app;
    }
}
