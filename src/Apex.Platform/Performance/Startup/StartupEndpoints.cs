namespace Apex.Platform.Performance.Startup;

/// <summary>GET /health/ready (200 only when every dependency answered) and GET /health/startup (the start phases).</summary>
public static class StartupEndpoints
{
    public sealed record Readiness(bool Ready, IReadOnlyDictionary<string, string> Dependencies);

    public static IEndpointRouteBuilder MapStartup(this IEndpointRouteBuilder app)
    {
        app.MapGet("/health/ready", (ReadinessState state) => state.IsReady
            ? Results.Ok(new Readiness(true, state.Dependencies))
            : Results.Json(new Readiness(false, state.Dependencies), statusCode: StatusCodes.Status503ServiceUnavailable));
        app.MapGet("/health/startup", (StartupProfiler profiler) => TypedResults.Ok(profiler.PhasesMs));
        return app;
    }
}
