using Apex.Platform.Auth.Events;
using Apex.Platform.Auth.Permissions;

namespace Apex.Platform.Realtime;

/// <summary>
/// Pushes auth events to this instance's sockets: a socket whose session ended is told why and
/// closed; sockets of a tenant whose access changed get their new permissions when theirs differ.
/// Subscribed before the instance takes requests, so no event after start is missed.
/// </summary>
internal sealed class RealtimeAuthNotifier(AuthEventBus events, RealtimeConnections connections, AccessResolver access, IHostApplicationLifetime lifetime)
    : IHostedService
{
    public const string SessionEnded = "session-ended";
    public const string PermissionsChanged = "permissions-changed";

    public Task StartAsync(CancellationToken cancellationToken) => events.SubscribeAsync(OnEventAsync);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task OnEventAsync(AuthEvent authEvent)
    {
        var stopping = lifetime.ApplicationStopping;
        if (authEvent.Kind == AuthEvent.SessionEnded)
        {
            foreach (var connection in connections.Where(u => u.SessionId == authEvent.SessionId))
            {
                await TryAsync(() => connection.EndAsync(new RealtimeMessage(SessionEnded, authEvent.Reason, connection.Id, connection.User.UserId), stopping));
            }
        }
        else if (authEvent.Kind == AuthEvent.PermissionsChanged)
        {
            foreach (var connection in connections.Where(u => u.TenantId == authEvent.TenantId))
            {
                await TryAsync(() => connection.SendPermissionsAsync(PermissionsChanged, () => DescribeAsync(access, connection, stopping), stopping));
            }
        }
    }

    // One socket that died mid-send (or a user whose access cannot be resolved now) must not keep
    // the event from the other sockets; the dead one is cleaned up by its own receive loop.
    private static async Task TryAsync(Func<Task> push)
    {
        try
        {
            await push();
        }
        catch (Exception e) when (e is System.Net.WebSockets.WebSocketException or OperationCanceledException or AuthStoreUnavailableException or ObjectDisposedException)
        {
        }
    }

    public static async Task<string> DescribeAsync(AccessResolver access, RealtimeConnection connection, CancellationToken cancellationToken) =>
        string.Join(',', (await access.ResolveAsync(connection.User, cancellationToken)).Permissions);
}
