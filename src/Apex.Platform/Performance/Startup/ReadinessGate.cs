namespace Apex.Platform.Performance.Startup;

/// <summary>
/// Serves nothing before the dependencies are ready: every request but the health endpoints gets
/// 503 with Retry-After, so a load balancer (or a client) waits instead of meeting half a service.
/// </summary>
public sealed class ReadinessGate(RequestDelegate next, ReadinessState state)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (state.IsReady || context.Request.Path.StartsWithSegments("/health", StringComparison.OrdinalIgnoreCase))
        {
            await next(context);
            return;
        }

        context.Response.Headers.RetryAfter = "1";
        var waiting = string.Join(", ", state.Dependencies.Where(d => d.Value != DependencyProbe.Ok).Select(d => d.Key));
        await TypedResults.Problem($"Starting: waiting for {(waiting.Length > 0 ? waiting : "the first dependency check")}.",
            statusCode: StatusCodes.Status503ServiceUnavailable).ExecuteAsync(context);
    }
}
