using Apex.Platform.Caching;
using Apex.Platform.Realtime.Delivery;
using Apex.Platform.Realtime.Hub;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Apex.Platform.Realtime.Shutdown;

/// <summary>
/// Graceful shutdown of the hub, run in the host's "stopping" phase, before Kestrel stops: new
/// handshakes are refused (503), each session's delivery position is written to Redis, every
/// connection's queued frames are sent and then a close 1001 ("going away"), and stragglers that
/// do not answer the close within ShutdownDrainTimeout are dropped. Clients reconnect, reach
/// another instance and resume their session there from the sequence they hold.
/// </summary>
public sealed class HubShutdownCoordinator(HubInstance instance, HubRegistry registry, IConnectionMultiplexer redis, RedisKeys keys,
    IOptions<HubOptions> options, TimeProvider time) : IHostedLifecycleService
{
    public const string GoingAwayReason = "Server shutting down; reconnect to resume your session.";

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        instance.StopAccepting();
        var open = registry.All.ToList();
        await Task.WhenAll(open.Select(PersistAsync));
        foreach (var connection in open) connection.Close((int)System.Net.WebSockets.WebSocketCloseStatus.EndpointUnavailable, GoingAwayReason, "shutdown");
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(options.Value.ShutdownDrainTimeout);
        while (registry.Count > 0 && !deadline.IsCancellationRequested)
        {
            // Real time on purpose: this bounds how long a stop can take, whatever clock the platform runs on.
            await Task.Delay(TimeSpan.FromMilliseconds(20), CancellationToken.None);
        }

        foreach (var straggler in registry.All) straggler.Abort("shutdown-timeout");
    }

    private Task PersistAsync(HubConnection connection) =>
        redis.GetDatabase().HashSetAsync(keys.Key($"rt:s:{connection.SessionId}"),
        [
            new HashEntry("lastSent", SessionDelivery.LastSent(connection)),
            new HashEntry("suspendedAt", time.GetUtcNow().ToString("O")),
            new HashEntry("suspendedBy", instance.Id),
        ]);

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
