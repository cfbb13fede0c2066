using Apex.Platform.Auth;
using Apex.Platform.Auth.Permissions;
using Apex.Platform.Realtime;

namespace Apex.Platform.Performance.Load;

/// <summary>
/// GET /performance/resources: the instance's resources and its bottleneck. POST
/// /performance/broadcast: an announcement to every socket of the caller's tenant on this instance
/// (members:manage), sent with bounded parallelism so a slow socket does not hold up the rest.
/// </summary>
public static class LoadEndpoints
{
    public const string BroadcastType = "broadcast";
    private const int SendParallelism = 32;

    public sealed record BroadcastRequest(string Payload);

    public sealed record BroadcastResult(int Delivered, int Failed);

    public sealed record ResourceReport(ResourceSnapshot Snapshot, IReadOnlyList<ResourceUsage> Usage, IReadOnlyList<string> Saturated);

    public static IEndpointRouteBuilder MapLoad(this IEndpointRouteBuilder app)
    {
        app.MapGet("/performance/resources", (ResourceMonitor monitor, BottleneckDetector detector) =>
        {
            var snapshot = monitor.Sample();
            var usage = detector.Analyze(snapshot);
            return TypedResults.Ok(new ResourceReport(snapshot, usage, usage.Where(u => u.Saturated).Select(u => u.Resource).ToList()));
        }).RequireAuthorization();
        app.MapPost("/performance/broadcast", BroadcastAsync).RequireAuthorization();
        return app;
    }

    private static async Task<IResult> BroadcastAsync(BroadcastRequest request, HttpContext http, AccessResolver access, IServiceProvider services)
    {
        var user = http.User.ToUserContext();
        if (!(await access.ResolveAsync(user, http.RequestAborted)).Allows("members:manage"))
        {
            return TypedResults.Problem("Broadcasting to a tenant needs the members:manage permission.", statusCode: StatusCodes.Status403Forbidden);
        }

        if (services.GetService<RealtimeConnections>() is not { } connections)
        {
            return TypedResults.Problem("This instance hosts no realtime service.", statusCode: StatusCodes.Status404NotFound);
        }

        var delivered = 0;
        var failed = 0;
        var message = new RealtimeMessage(BroadcastType, request.Payload, UserId: user.UserId);
        await Parallel.ForEachAsync(connections.Where(u => u.TenantId == user.TenantId).ToList(),
            new ParallelOptions { MaxDegreeOfParallelism = SendParallelism, CancellationToken = http.RequestAborted }, async (connection, token) =>
            {
                try
                {
                    await connection.SendAsync(message, token);
                    Interlocked.Increment(ref delivered);
                }
                catch (Exception e) when (e is System.Net.WebSockets.WebSocketException or ObjectDisposedException or IOException)
                {
                    Interlocked.Increment(ref failed);
                }
            });
        return TypedResults.Ok(new BroadcastResult(delivered, failed));
    }
}
