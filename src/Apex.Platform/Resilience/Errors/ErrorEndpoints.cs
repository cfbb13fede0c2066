using System.ComponentModel.DataAnnotations;
using Apex.Platform.Data;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Apex.Platform.Resilience.Errors;

public static class ErrorEndpoints
{
    public static IServiceCollection AddErrorAggregation(this IServiceCollection services)
    {
        services.TryAddSingleton<ErrorGroupStore>();
        services.TryAddSingleton<ErrorCollector>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IExceptionHandler, ErrorCollectingExceptionHandler>());
        services.AddSchema(70, "resilience-errors", ErrorGroupStore.Schema);
        return services;
    }

    /// <summary>Reports from clients and the reporter's views; all need a signed-in caller.</summary>
    public static IEndpointRouteBuilder MapErrorAggregation(this IEndpointRouteBuilder app)
    {
        var errors = app.MapGroup("/resilience/errors").RequireAuthorization();
        errors.MapPost("/", ReportAsync);
        errors.MapGet("/", async (ErrorGroupStore store, CancellationToken ct) => TypedResults.Ok(await store.ListAsync(ct)));
        errors.MapGet("/analysis", AnalyzeAsync);
        return app;
    }

    private static async Task<Results<Accepted, ValidationProblem>> ReportAsync(ClientErrorReport body, ErrorCollector collector, CancellationToken ct)
    {
        var problems = new List<ValidationResult>();
        if (!Validator.TryValidateObject(body, new ValidationContext(body), problems, validateAllProperties: true))
        {
            return TypedResults.ValidationProblem(problems.ToDictionary(p => p.MemberNames.FirstOrDefault() ?? "body", p => new[] { p.ErrorMessage ?? "invalid" }));
        }

        await collector.CollectAsync(new ErrorReport(body.Source, body.Kind, body.Message, body.Location), ct);
        return TypedResults.Accepted((string?)null);
    }

    private static async Task<Ok<ErrorAnalysis>> AnalyzeAsync(ErrorGroupStore store, TimeProvider time, CancellationToken ct, int activeMinutes = 15) =>
        TypedResults.Ok(ErrorAnalyzer.Analyze(await store.ListAsync(ct), time.GetUtcNow(), TimeSpan.FromMinutes(activeMinutes)));

    /// <summary>An error a client (a browser, a worker) reports about itself.</summary>
    public sealed record ClientErrorReport(
        [property: Required, StringLength(64)] string Source,
        [property: Required, StringLength(200)] string Kind,
        [property: Required, StringLength(4000)] string Message,
        [property: StringLength(400)] string? Location);
}
