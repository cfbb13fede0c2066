using Apex.Platform.Caching.Metrics;
using Apex.Platform.Caching.Source;
using Apex.Platform.Caching.Sync;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Apex.Platform.Caching;

/// <summary>Cached records and the cache's own measurements, for signed-in callers.</summary>
public static class CacheEndpoints
{
    public static WebApplication MapCaching(this WebApplication app)
    {
        var group = app.MapGroup("/cache").RequireAuthorization();
        group.MapGet("/records/{key}", GetRecordAsync);
        group.MapGet("/stats", (HitRateAnalyzer analyzer) => TypedResults.Ok(analyzer.Analyze()));
        return app;
    }

    private static async Task<Results<Ok<Record>, ProblemHttpResult>> GetRecordAsync(string key, SyncedRecords records, CancellationToken cancellationToken) =>
        await records.GetAsync(key, cancellationToken) is { } record
            ? TypedResults.Ok(record)
            : TypedResults.Problem($"No record '{key}'.", statusCode: StatusCodes.Status404NotFound);
}
