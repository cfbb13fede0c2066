using System.Net;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Simmy;
using Polly.Simmy.Fault;
using Polly.Simmy.Latency;
using Polly.Simmy.Outcomes;

namespace Apex.Platform.Resilience.Chaos;

/// <summary>
/// The chaos injector: Polly's chaos strategies (latency, fault, outcome) in the catalog client's
/// pipeline, reading the run-time switch on every call, so faults are injected into the platform's
/// real outgoing calls and switched off without a restart.
/// </summary>
public static class ChaosEndpoints
{
    public static IServiceCollection AddChaos(this IServiceCollection services)
    {
        services.AddOptions<ChaosOptions>().BindConfiguration(ChaosOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton<ChaosSwitch>();
        services.TryAddSingleton<ImpactMonitor>();
        services.AddHttpClient<CatalogClient>((sp, client) => client.BaseAddress = new Uri(sp.GetRequiredService<IOptions<ChaosOptions>>().Value.Catalog))
            .AddResilienceHandler("catalog-chaos", (builder, context) =>
            {
                var chaos = context.ServiceProvider.GetRequiredService<ChaosSwitch>();
                builder.TimeProvider = context.ServiceProvider.GetRequiredService<TimeProvider>();
                builder.AddChaosLatency(new ChaosLatencyStrategyOptions
                {
                    EnabledGenerator = _ => ValueTask.FromResult(chaos.Current.LatencyMs > 0),
                    InjectionRateGenerator = _ => ValueTask.FromResult(chaos.Current.LatencyRate),
                    LatencyGenerator = _ => ValueTask.FromResult(TimeSpan.FromMilliseconds(chaos.Current.LatencyMs)),
                });
                builder.AddChaosFault(new ChaosFaultStrategyOptions
                {
                    EnabledGenerator = _ => ValueTask.FromResult(chaos.Current.Fault == ChaosSettings.ConnectionCut),
                    InjectionRateGenerator = _ => ValueTask.FromResult(chaos.Current.FaultRate),
                    FaultGenerator = _ => ValueTask.FromResult<Exception?>(new HttpRequestException(HttpRequestError.ConnectionError, "Chaos: the connection was cut.")),
                });
                builder.AddChaosOutcome(new ChaosOutcomeStrategyOptions<HttpResponseMessage>
                {
                    EnabledGenerator = _ => ValueTask.FromResult(chaos.Current.Fault == ChaosSettings.ServerError),
                    InjectionRateGenerator = _ => ValueTask.FromResult(chaos.Current.FaultRate),
                    OutcomeGenerator = _ => ValueTask.FromResult<Outcome<HttpResponseMessage>?>(Outcome.FromResult(new HttpResponseMessage(HttpStatusCode.InternalServerError))),
                });
            });
        return services;
    }

    public static IEndpointRouteBuilder MapChaos(this IEndpointRouteBuilder app)
    {
        app.MapPut("/resilience/chaos", Results<Ok<ChaosSettings>, ProblemHttpResult> (ChaosSettings settings, ChaosSwitch chaos, ImpactMonitor monitor) =>
        {
            if (!settings.IsValid) return TypedResults.Problem("Latency must be 0..600000 ms, rates 0..1, fault connection-cut or server-error.", statusCode: StatusCodes.Status400BadRequest);
            chaos.Set(settings);
            monitor.StartPhase(settings.Label);
            return TypedResults.Ok(settings);
        });
        app.MapGet("/resilience/chaos", (ChaosSwitch chaos) => TypedResults.Ok(chaos.Current));
        app.MapGet("/resilience/slo", (ImpactMonitor monitor) => TypedResults.Ok(monitor.Report()));
        app.MapGet("/resilience/catalog", async (CatalogClient catalog, CancellationToken ct) => await catalog.GetAsync(ct));
        return app;
    }
}

/// <summary>The platform's calls to the catalog API, each measured for the impact monitor.</summary>
public sealed class CatalogClient(HttpClient http, ImpactMonitor monitor, TimeProvider time)
{
    public async Task<IResult> GetAsync(CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var succeeded = false;
        try
        {
            using var response = await http.GetAsync("items", cancellationToken);
            succeeded = response.IsSuccessStatusCode;
            return succeeded
                ? TypedResults.Ok(new { source = "catalog" })
                : TypedResults.Problem($"The catalog answered {(int)response.StatusCode}.", statusCode: StatusCodes.Status503ServiceUnavailable);
        }
        catch (HttpRequestException e)
        {
            return TypedResults.Problem($"The catalog is unreachable: {e.Message}", statusCode: StatusCodes.Status503ServiceUnavailable);
        }
        finally
        {
            monitor.Record(succeeded, time.GetElapsedTime(started));
        }
    }
}
