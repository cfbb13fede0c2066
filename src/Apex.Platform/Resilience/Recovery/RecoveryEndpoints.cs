using Apex.Platform.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;
using StackExchange.Redis;

namespace Apex.Platform.Resilience.Recovery;

public static class RecoveryEndpoints
{
    public static IServiceCollection AddRecoveryMonitoring(this IServiceCollection services)
    {
        services.AddOptions<RecoveryOptions>().BindConfiguration(RecoveryOptions.SectionName)
            .Validate(RecoveryOptions.IsValid, RecoveryOptions.Invalid).ValidateOnStart();
        services.TryAddSingleton<RecoveryMonitor>();
        services.AddHostedService(sp => sp.GetRequiredService<RecoveryMonitor>());
        services.TryAddSingleton<RecordStore>();
        services.AddSchema(74, "resilience-records", RecordStore.Schema);
        return services;
    }

    public static IEndpointRouteBuilder MapRecoveryMonitoring(this IEndpointRouteBuilder app)
    {
        app.MapGet("/resilience/recovery", (RecoveryMonitor monitor) => TypedResults.Ok(monitor.Report()));
        app.MapPost("/resilience/records", WriteAsync);
        app.MapGet("/resilience/records/{key}", async Task<Results<Ok<RecordBody>, NotFound>> (string key, RecordStore records, CancellationToken ct, string store = "postgres") =>
            await records.ReadAsync(key, store, ct) is { } value ? TypedResults.Ok(new RecordBody(key, value)) : TypedResults.NotFound());
        return app;
    }

    private static async Task<Results<Created<RecordBody>, ProblemHttpResult>> WriteAsync(RecordBody record, RecordStore records, CancellationToken ct)
    {
        try
        {
            await records.WriteAsync(record.Key, record.Value, ct);
            return TypedResults.Created($"/resilience/records/{record.Key}", record);
        }
        catch (Exception e) when (e is NpgsqlException or RedisException or TimeoutException)
        {
            return TypedResults.Problem($"Not stored: {e.Message}", statusCode: StatusCodes.Status503ServiceUnavailable, title: "Store unavailable");
        }
    }

    public sealed record RecordBody(string Key, string Value);
}
