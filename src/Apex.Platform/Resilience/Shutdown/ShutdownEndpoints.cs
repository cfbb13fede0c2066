using Apex.Platform.Auth;
using Apex.Platform.Auth.Permissions;
using Apex.Platform.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Apex.Platform.Resilience.Shutdown;

public static class ShutdownEndpoints
{
    public static IServiceCollection AddEmergencyShutdown(this IServiceCollection services)
    {
        services.AddOptions<ShutdownOptions>().BindConfiguration(ShutdownOptions.SectionName);
        services.TryAddSingleton<KillSwitch>();
        services.TryAddSingleton<JobStore>();
        services.TryAddSingleton<ShutdownCoordinator>();
        services.AddHostedService(sp => sp.GetRequiredService<ShutdownCoordinator>());
        services.AddSchema(73, "resilience-jobs", JobStore.Schema);
        return services;
    }

    public static IEndpointRouteBuilder MapEmergencyShutdown(this IEndpointRouteBuilder app)
    {
        app.MapPost("/resilience/jobs", SubmitAsync);
        app.MapGet("/resilience/jobs/{id:guid}", async Task<Results<Ok<JobView>, NotFound>> (Guid id, JobStore jobs, CancellationToken ct) =>
            await jobs.FindAsync(id, ct) is { } job ? TypedResults.Ok(job) : TypedResults.NotFound());
        app.MapGet("/resilience/emergency/status", (ShutdownCoordinator coordinator) =>
            TypedResults.Ok(new EmergencyStatus(coordinator.IntakeOpen, coordinator.StoppedBecause, coordinator.InFlight)));
        // Stopping the whole platform is a tenant admin's decision, made on the record.
        var emergency = app.MapGroup("/resilience/emergency").RequirePermission(PermissionEndpoints.ManageMembers);
        emergency.MapPost("/shutdown", async (ShutdownRequest request, HttpContext http, KillSwitch killSwitch) =>
        {
            await killSwitch.EngageAsync(request.Reason, http.User.ToUserContext().UserId.ToString());
            return TypedResults.Accepted((string?)null);
        });
        emergency.MapPost("/release", async (KillSwitch killSwitch) =>
        {
            await killSwitch.ReleaseAsync();
            return TypedResults.Accepted((string?)null);
        });
        return app;
    }

    private static async Task<Results<Accepted<JobAccepted>, ProblemHttpResult>> SubmitAsync(
        JobRequest request, ShutdownCoordinator coordinator, JobStore jobs, CancellationToken ct)
    {
        if (!coordinator.IntakeOpen)
        {
            return TypedResults.Problem($"Intake is stopped by an emergency shutdown ({coordinator.StoppedBecause}).",
                statusCode: StatusCodes.Status503ServiceUnavailable, title: "Intake stopped");
        }

        if (request.Units is < 1 or > 10_000) return TypedResults.Problem("A job has 1 to 10000 units.", statusCode: StatusCodes.Status400BadRequest);
        var id = await jobs.SubmitAsync(request.Units, ct);
        coordinator.Wake();
        return TypedResults.Accepted($"/resilience/jobs/{id}", new JobAccepted(id));
    }

    public sealed record JobRequest(int Units);

    public sealed record JobAccepted(Guid Id);

    public sealed record ShutdownRequest(string Reason);

    public sealed record EmergencyStatus(bool IntakeOpen, string? Reason, int InFlight);
}
