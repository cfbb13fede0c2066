using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;

namespace Apex.Platform.Resilience.Circuits;

public static class CircuitChainEndpoints
{
    public static IServiceCollection AddCircuitRegistry(this IServiceCollection services)
    {
        services.TryAddSingleton<CircuitRegistry>();
        return services;
    }

    /// <summary>The chain hop: a typed client to the downstream behind a Polly circuit breaker on the platform's clock.</summary>
    public static IServiceCollection AddCircuitChain(this IServiceCollection services)
    {
        services.AddOptions<ChainOptions>().BindConfiguration(ChainOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddHttpClient<ChainHop>((sp, client) => client.BaseAddress = new Uri(sp.GetRequiredService<IOptions<ChainOptions>>().Value.Downstream))
            .AddResilienceHandler("chain", (builder, context) =>
            {
                var options = context.ServiceProvider.GetRequiredService<IOptions<ChainOptions>>().Value;
                var registry = context.ServiceProvider.GetRequiredService<CircuitRegistry>();
                var name = ChainHop.CircuitName(context.ServiceProvider.GetRequiredService<IOptions<ResilienceOptions>>().Value.ServiceName, options);
                builder.TimeProvider = context.ServiceProvider.GetRequiredService<TimeProvider>();
                builder.AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions
                {
                    ShouldHandle = args => ValueTask.FromResult(CascadeDetector.CountsAgainstDownstream(args.Outcome)),
                    MinimumThroughput = options.MinimumThroughput,
                    FailureRatio = options.FailureRatio,
                    SamplingDuration = options.SamplingDuration,
                    BreakDuration = options.BreakDuration,
                    StateProvider = registry.Register(name),
                    OnOpened = _ => Record(registry, name, Polly.CircuitBreaker.CircuitState.Open),
                    OnHalfOpened = _ => Record(registry, name, Polly.CircuitBreaker.CircuitState.HalfOpen),
                    OnClosed = _ => Record(registry, name, Polly.CircuitBreaker.CircuitState.Closed),
                });
            });
        return services;
    }

    public static IEndpointRouteBuilder MapCircuits(this IEndpointRouteBuilder app)
    {
        app.MapGet("/resilience/circuits", (CircuitRegistry registry) =>
            TypedResults.Ok(new CircuitsResponse(registry.Circuits(), registry.History())));
        return app;
    }

    public static IEndpointRouteBuilder MapCircuitChain(this IEndpointRouteBuilder app)
    {
        app.MapGet("/resilience/chain", (HttpContext context, ChainHop hop, CancellationToken ct) => hop.ServeAsync(context, ct));
        return app;
    }

    private static ValueTask Record(CircuitRegistry registry, string name, Polly.CircuitBreaker.CircuitState state)
    {
        registry.Record(name, state);
        return ValueTask.CompletedTask;
    }

    public sealed record CircuitsResponse(IReadOnlyList<CircuitView> Circuits, IReadOnlyList<CircuitTransition> History);
}
