using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text.Json;
using Apex.Platform.Auth;

namespace Apex.Platform.Realtime;

/// <summary>
/// The WebSockets open on this instance, so that auth events (a session ended, permissions changed)
/// reach the right sockets. Redis holds who is connected platform-wide; only this instance can write
/// to its own sockets.
/// </summary>
public sealed class RealtimeConnections
{
    private readonly ConcurrentDictionary<string, RealtimeConnection> _open = new();

    public RealtimeConnection Add(string connectionId, UserContext user, WebSocket socket)
    {
        var connection = new RealtimeConnection(connectionId, user, socket);
        _open[connectionId] = connection;
        return connection;
    }

    public void Remove(string connectionId) => _open.TryRemove(connectionId, out _);

    public IEnumerable<RealtimeConnection> Where(Func<UserContext, bool> predicate) => _open.Values.Where(c => predicate(c.User));
}

/// <summary>One open socket. Sends are serialized: a WebSocket allows one send at a time, and
/// replies and pushed notifications come from different threads.</summary>
public sealed class RealtimeConnection(string id, UserContext user, WebSocket socket)
{
    /// <summary>The application's close code for "your session ended": the client should sign in again.</summary>
    public const WebSocketCloseStatus SessionEndedStatus = (WebSocketCloseStatus)4001;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly SemaphoreSlim _send = new(1, 1);

    public string Id => id;

    public UserContext User => user;

    /// <summary>The permissions this client was last told about; guarded by the send lock.</summary>
    public string? KnownPermissions { get; private set; }

    public async Task SendAsync(RealtimeMessage message, CancellationToken cancellationToken)
    {
        await _send.WaitAsync(cancellationToken);
        try
        {
            await SendUnlockedAsync(message, cancellationToken);
        }
        finally
        {
            _send.Release();
        }
    }

    /// <summary>Tells the client its permissions when they differ from what it was last told.</summary>
    public async Task SendPermissionsAsync(string type, Func<Task<string>> current, CancellationToken cancellationToken)
    {
        await _send.WaitAsync(cancellationToken);
        try
        {
            var permissions = await current();
            if (permissions == KnownPermissions) return;
            KnownPermissions = permissions;
            await SendUnlockedAsync(new RealtimeMessage(type, permissions, id, user.UserId), cancellationToken);
        }
        finally
        {
            _send.Release();
        }
    }

    /// <summary>Says why, then starts the close handshake; the receive loop sees the client's close.</summary>
    public async Task EndAsync(RealtimeMessage message, CancellationToken cancellationToken)
    {
        await _send.WaitAsync(cancellationToken);
        try
        {
            await SendUnlockedAsync(message, cancellationToken);
            if (socket.State == WebSocketState.Open) await socket.CloseOutputAsync(SessionEndedStatus, message.Payload, cancellationToken);
        }
        finally
        {
            _send.Release();
        }
    }

    private async Task SendUnlockedAsync(RealtimeMessage message, CancellationToken cancellationToken)
    {
        if (socket.State != WebSocketState.Open) return;
        await socket.SendAsync(JsonSerializer.SerializeToUtf8Bytes(message, Json), WebSocketMessageType.Text, true, cancellationToken);
    }
}
