using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Apex.Platform.Resilience.Deadlines;

public static class DeadlineEndpoints
{
    public static IServiceCollection AddDeadlines(this IServiceCollection services)
    {
        services.AddOptions<DeadlineOptions>().BindConfiguration(DeadlineOptions.SectionName)
            .Validate(DeadlineOptions.IsValid, DeadlineOptions.Invalid).ValidateOnStart();
        services.TryAddSingleton<DependencyBulkheads>();
        // No client timeout: the request's deadline is the only limit, so it is the one that is propagated.
        services.AddHttpClient<DeadlineWork>(client => client.Timeout = Timeout.InfiniteTimeSpan);
        return services;
    }

    public static IEndpointRouteBuilder MapDeadlines(this IEndpointRouteBuilder app)
    {
        app.MapGet("/resilience/deadline/work", (HttpRequest request, string dependency, DeadlineWork work, CancellationToken ct) =>
            work.ServeAsync(request, dependency, ct));
        return app;
    }
}
