using System.Net.WebSockets;
using System.Text.Json;
using Apex.Platform.Auth;
using Apex.Platform.Auth.Permissions;
using Apex.Platform.Realtime.Hub;

namespace Apex.Platform.Realtime;

public static class RealtimeEndpoints
{
    private const int MaxMessageBytes = 64 * 1024;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static IServiceCollection AddRealtime(this IServiceCollection services)
    {
        services.AddSingleton<RealtimeSessionStore>();
        services.AddSingleton<RealtimeConnections>();
        services.AddHostedService<RealtimeAuthNotifier>();
        services.AddRealtimeHub();
        return services;
    }

    /// <summary>
    /// GET /ws: the handshake is authorized like any request (a bad token gets 401 before any
    /// upgrade); the connection is then recorded in Redis and messages are answered as they come.
    /// </summary>
    public static IEndpointRouteBuilder MapRealtime(this IEndpointRouteBuilder app)
    {
        app.MapGet("/ws", HandleAsync).RequireAuthorization();
        app.MapRealtimeHub();
        return app;
    }

    private static async Task<IResult> HandleAsync(HttpContext http, RealtimeSessionStore sessions, RealtimeConnections connections, AccessResolver access)
    {
        if (!http.WebSockets.IsWebSocketRequest)
        {
            return TypedResults.Problem("This endpoint speaks WebSocket only.", statusCode: StatusCodes.Status400BadRequest);
        }

        var user = http.User.ToUserContext();
        var connectionId = Guid.NewGuid().ToString("N");
        using var socket = await http.WebSockets.AcceptWebSocketAsync();
        await sessions.RecordAsync(connectionId, user);
        // Registered before the welcome is composed: a permission change from now on reaches this
        // socket, and the send lock orders it after the welcome.
        var connection = connections.Add(connectionId, user, socket);
        try
        {
            await connection.SendPermissionsAsync("welcome", () => RealtimeAuthNotifier.DescribeAsync(access, connection, http.RequestAborted), http.RequestAborted);
            await ConverseAsync(socket, connection, http.RequestAborted);
        }
        finally
        {
            connections.Remove(connectionId);
            await sessions.RemoveAsync(connectionId, user.UserId);
        }

        return TypedResults.Empty;
    }

    private static async Task ConverseAsync(WebSocket socket, RealtimeConnection connection, CancellationToken cancellationToken)
    {
        var buffer = new byte[MaxMessageBytes];
        while (socket.State == WebSocketState.Open)
        {
            var received = await socket.ReceiveAsync(buffer, cancellationToken);
            if (received.MessageType == WebSocketMessageType.Close)
            {
                // After our own close (a session ended) the handshake is already complete here.
                if (socket.State == WebSocketState.CloseReceived) await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", cancellationToken);
                return;
            }

            if (!received.EndOfMessage)
            {
                await socket.CloseAsync(WebSocketCloseStatus.MessageTooBig, $"Messages are limited to {MaxMessageBytes} bytes.", cancellationToken);
                return;
            }

            await connection.SendAsync(Answer(buffer.AsSpan(0, received.Count), connection.User), cancellationToken);
        }
    }

    private static RealtimeMessage Answer(ReadOnlySpan<byte> text, UserContext user)
    {
        try
        {
            var message = JsonSerializer.Deserialize<RealtimeMessage>(text, Json);
            return message?.Type == "echo"
                ? new RealtimeMessage("echo", message.Payload, UserId: user.UserId)
                : new RealtimeMessage("error", $"Unknown message type '{message?.Type}'.");
        }
        catch (JsonException)
        {
            return new RealtimeMessage("error", "Messages are JSON objects with a 'type'.");
        }
    }
}
