using Apex.Platform.Data;
using Apex.Platform.Data.ClickHouse;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.FeatureManagement;

namespace Apex.Platform.Resilience.Degradation;

public static class DegradationEndpoints
{
    public const string NoticeHeader = "X-Apex-Degraded";

    /// <summary>Feature toggles switched by dependency health; needs ClickHouse configured (Platform:ClickHouse).</summary>
    public static IServiceCollection AddGracefulDegradation(this IServiceCollection services)
    {
        services.AddOptions<DegradationOptions>().BindConfiguration(DegradationOptions.SectionName);
        services.AddSingleton<DependencyHealthMonitor>();
        // Before AddFeatureManagement, which only adds its configuration-based provider when none is registered.
        services.AddSingleton<IFeatureDefinitionProvider, DegradableFeatures>();
        services.AddFeatureManagement().AddFeatureFilter<DependencyHealthFilter>();
        services.AddClickHouse();
        services.AddClickHouseTable(NotesService.UsageTable, NotesService.UsageDdl);
        services.AddSchema(72, "resilience-notes", NotesService.Schema);
        services.AddScoped<NotesService>();
        return services;
    }

    public static IEndpointRouteBuilder MapGracefulDegradation(this IEndpointRouteBuilder app)
    {
        app.MapPost("/resilience/notes", async (NoteRequest note, NotesService notes, HttpResponse response, DependencyHealthMonitor monitor, CancellationToken ct) =>
        {
            var id = await notes.AddAsync(note.Text, ct);
            return TypedResults.Created($"/resilience/notes/{id}", new NoteCreated(id, Notify(response, monitor)));
        });
        app.MapGet("/resilience/notes", async (NotesService notes, CancellationToken ct) => TypedResults.Ok(await notes.ListAsync(ct)));
        app.MapGet("/resilience/analytics/usage", UsageAsync);
        app.MapGet("/resilience/notices", (DependencyHealthMonitor monitor) => TypedResults.Ok(monitor.Notices()));
        return app;
    }

    private static async Task<Ok<UsageAnswer>> UsageAsync(NotesService notes, HttpResponse response, DependencyHealthMonitor monitor, CancellationToken ct)
    {
        var events = await notes.UsageAsync(ct);
        return TypedResults.Ok(new UsageAnswer(events is not null, events, Notify(response, monitor)));
    }

    /// <summary>Every answer carries the current notices, in the body for the UI and in a header for any client.</summary>
    private static IReadOnlyList<DegradationNotice> Notify(HttpResponse response, DependencyHealthMonitor monitor)
    {
        var notices = monitor.Notices();
        if (notices.Count > 0) response.Headers[NoticeHeader] = string.Join(",", notices.Select(n => n.Feature));
        return notices;
    }

    public sealed record NoteRequest(string Text);

    public sealed record NoteCreated(Guid Id, IReadOnlyList<DegradationNotice> Notices);

    public sealed record UsageAnswer(bool Available, long? Events, IReadOnlyList<DegradationNotice> Notices);
}
