using Apex.Platform.Resilience.Chaos;
using Apex.Platform.Resilience.Circuits;
using Apex.Platform.Resilience.Deadlines;
using Apex.Platform.Resilience.Degradation;
using Apex.Platform.Resilience.Errors;
using Apex.Platform.Resilience.ErrorRates;
using Apex.Platform.Resilience.Health;
using Apex.Platform.Resilience.Recovery;
using Apex.Platform.Resilience.Retries;
using Apex.Platform.Resilience.Shutdown;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Apex.Platform.Resilience;

/// <summary>
/// The resilience capability: what every resilience process hosts (error aggregation, the ledger,
/// the circuit registry, store health checks, the kill switch and its job worker), and the
/// components that need an address, each on when its section is configured (docs/adr/0140).
/// </summary>
public static class ResilienceServiceCollectionExtensions
{
    private const string ClickHouseSection = "Platform:ClickHouse";

    public static IServiceCollection AddResilience(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ResilienceOptions>().BindConfiguration(ResilienceOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddCircuitRegistry();
        services.AddErrorAggregation();
        services.AddLedger();
        services.AddDependencyHealth(configuration);
        services.AddEmergencyShutdown();
        if (Configured(configuration, ChainOptions.SectionName)) services.AddCircuitChain();
        if (Configured(configuration, RetryOptions.SectionName)) services.AddRetryingTransfers();
        if (Configured(configuration, ClickHouseSection)) services.AddGracefulDegradation();
        if (Configured(configuration, DeadlineOptions.SectionName)) services.AddDeadlines();
        if (Configured(configuration, ErrorRateOptions.SectionName)) services.AddErrorRateLimiting();
        if (Configured(configuration, RecoveryOptions.SectionName)) services.AddRecoveryMonitoring();
        if (ChaosEnabled(configuration)) services.AddChaos();
        return services;
    }

    public static WebApplication MapResilience(this WebApplication app)
    {
        var configuration = app.Configuration;
        app.MapCircuits();
        app.MapErrorAggregation();
        app.MapLedger();
        app.MapDependencyHealth();
        app.MapEmergencyShutdown();
        if (Configured(configuration, ChainOptions.SectionName)) app.MapCircuitChain();
        if (Configured(configuration, RetryOptions.SectionName)) app.MapRetryingTransfers();
        if (Configured(configuration, ClickHouseSection)) app.MapGracefulDegradation();
        if (Configured(configuration, DeadlineOptions.SectionName)) app.MapDeadlines();
        if (Configured(configuration, ErrorRateOptions.SectionName)) app.MapErrorRateLimiting();
        if (Configured(configuration, RecoveryOptions.SectionName)) app.MapRecoveryMonitoring();
        if (ChaosEnabled(configuration)) app.MapChaos();
        return app;
    }

    private static bool Configured(IConfiguration configuration, string section) => ResilienceOptions.Configured(configuration, section);

    /// <summary>The injector exists only where it is switched on explicitly: never by accident in production.</summary>
    private static bool ChaosEnabled(IConfiguration configuration) => configuration.GetValue<bool>($"{ChaosOptions.SectionName}:Enabled");
}
