using System.Buffers;
using System.Globalization;
using System.Net.WebSockets;
using System.Threading.Channels;
using Apex.Platform.Auth;
using Apex.Platform.Realtime.Admission;
using Apex.Platform.Realtime.Delivery;
using Apex.Platform.Realtime.Health;
using Microsoft.Extensions.Options;

namespace Apex.Platform.Realtime.Hub;

/// <summary>
/// Runs one hub connection from handshake to close: admission (limits, shutdown), the session
/// to use, the upgrade (permessage-deflate when the client offers it), then three loops - the
/// receive loop, the handling loop and the send pump - and the features that join in.
/// </summary>
public sealed class HubHost(IOptions<HubOptions> options, TimeProvider time, HubRegistry registry, ConnectionAdmission admission, HubSessions sessions,
    HubInstance instance, HubDispatcher dispatcher, IEnumerable<IHubConnectionFeature> features, HubMetrics metrics)
{
    private enum Ending { ClientClosed, Aborted, TooBig }

    public async Task<IResult> HandleAsync(HttpContext http)
    {
        if (!http.WebSockets.IsWebSocketRequest) return TypedResults.Problem("This endpoint speaks WebSocket only.", statusCode: StatusCodes.Status400BadRequest);
        if (!instance.Accepting) return Refuse(http, "shutting-down", "This instance is shutting down; connect again to reach another.");
        var user = http.User.ToUserContext();
        if (admission.TryAdmit(user.TenantId) is { } full) return Refuse(http, full, $"The {full} connection limit is reached; try again shortly.");
        try
        {
            var requested = http.Request.Query["session"].FirstOrDefault();
            if (await sessions.OpenAsync(user, requested) is not { } session)
            {
                return TypedResults.Problem("This session does not exist or is not yours.", statusCode: StatusCodes.Status403Forbidden);
            }

            using var socket = await http.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext { DangerousEnableCompression = true });
            await using var connection = new HubConnection(Guid.NewGuid().ToString("N"), session.SessionId, user, socket, options.Value, time, http.RequestAborted);
            await RunAsync(connection, socket, new HubHandshake(session.Resumed, LastSeq(http), ExpiresAt(http)));
            return TypedResults.Empty;
        }
        finally
        {
            admission.Release(user.TenantId);
        }
    }

    private IResult Refuse(HttpContext http, string reason, string detail)
    {
        metrics.Refused(reason);
        http.Response.Headers.RetryAfter = "1";
        return TypedResults.Problem(detail, statusCode: StatusCodes.Status503ServiceUnavailable, title: "No capacity", extensions: new Dictionary<string, object?> { ["limit"] = reason });
    }

    private static long? LastSeq(HttpContext http) =>
        long.TryParse(http.Request.Query["lastSeq"].FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var seq) ? seq : null;

    private static DateTimeOffset? ExpiresAt(HttpContext http) =>
        long.TryParse(http.User.FindFirst("exp")?.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var exp) ? DateTimeOffset.FromUnixTimeSeconds(exp) : null;

    private async Task RunAsync(HubConnection connection, WebSocket socket, HubHandshake handshake)
    {
        registry.Add(connection);
        var pump = Task.CompletedTask;
        var ending = Ending.Aborted;
        try
        {
            // The welcome is queued first but goes out only once every feature is open (heartbeat timer
            // armed, delivery started): a client that acts on the welcome never races the set-up.
            connection.Send(HubFrame.Of(HubFrameTypes.Welcome, new { connectionId = connection.Id, sessionId = connection.SessionId, instance = instance.Id, handshake.Resumed }));
            foreach (var feature in features) await feature.OnOpenedAsync(connection, handshake);
            pump = connection.PumpAsync();
            var inbound = Channel.CreateBounded<(WebSocketMessageType Type, byte[] Payload)>(16);
            var handling = HandleAllAsync(connection, inbound.Reader);
            ending = await ReceiveAllAsync(connection, socket, inbound.Writer);
            await FinishAsync(connection, socket, ending, pump, handling);
        }
        finally
        {
            registry.Remove(connection);
            connection.Ended();
            foreach (var feature in features) await feature.OnClosedAsync(connection);
            metrics.Disconnected(connection.EndReason ?? ending.ToString());
        }
    }

    private async Task<Ending> ReceiveAllAsync(HubConnection connection, WebSocket socket, ChannelWriter<(WebSocketMessageType, byte[])> inbound)
    {
        var buffer = new byte[16 * 1024];
        var message = new ArrayBufferWriter<byte>();
        try
        {
            while (true)
            {
                var received = await socket.ReceiveAsync(buffer, connection.Lifetime);
                if (received.MessageType == WebSocketMessageType.Close) return Ending.ClientClosed;
                if (message.WrittenCount + received.Count > options.Value.MaxMessageBytes) return Ending.TooBig;
                message.Write(buffer.AsSpan(0, received.Count));
                if (!received.EndOfMessage) continue;
                await inbound.WriteAsync((received.MessageType, message.WrittenSpan.ToArray()), connection.Lifetime);
                message.ResetWrittenCount();
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException)
        {
            return Ending.Aborted;
        }
        finally
        {
            inbound.TryComplete();
        }
    }

    private async Task HandleAllAsync(HubConnection connection, ChannelReader<(WebSocketMessageType Type, byte[] Payload)> inbound)
    {
        var bucket = new TokenBucket(options.Value.MessagesPerSecond, options.Value.MessageBurst, time);
        try
        {
            await foreach (var (type, payload) in inbound.ReadAllAsync(connection.Lifetime))
            {
                await HandleOneAsync(connection, bucket, type, payload);
            }
        }
        catch (OperationCanceledException)
        {
            // The connection ended; the message in hand was cancelled with it.
        }
    }

    private async Task HandleOneAsync(HubConnection connection, TokenBucket bucket, WebSocketMessageType type, byte[] payload)
    {
        var frame = type == WebSocketMessageType.Text ? HubDispatcher.Parse(payload) : null;
        if (frame?.Type is HubFrameTypes.Pong or HubFrameTypes.Ack)
        {
            await dispatcher.DispatchAsync(connection, frame);
            return;
        }

        connection.Touch();
        if (!bucket.TryTake(out var retryAfter))
        {
            metrics.Throttled();
            connection.Send(HubFrame.Of(HubFrameTypes.Throttle, new { retryAfterMs = (long)Math.Ceiling(retryAfter.TotalMilliseconds) }, frame?.Id));
        }
        else if (type == WebSocketMessageType.Binary) await dispatcher.DispatchBinaryAsync(connection, payload);
        else if (frame is null) connection.Send(HubFrame.Error("bad-frame", "Frames are JSON objects with a 'type'."));
        else await dispatcher.DispatchAsync(connection, frame);
    }

    private async Task FinishAsync(HubConnection connection, WebSocket socket, Ending ending, Task pump, Task handling)
    {
        if (ending == Ending.Aborted)
        {
            connection.Ended();
            await handling;
            return;
        }

        if (ending == Ending.ClientClosed) await handling;
        if (ending == Ending.TooBig) connection.Close((int)WebSocketCloseStatus.MessageTooBig, $"Messages are limited to {options.Value.MaxMessageBytes} bytes.", "message-too-big");
        else connection.Close((int)WebSocketCloseStatus.NormalClosure, "bye", "client-closed");
        await pump;
        if (ending == Ending.TooBig) await DiscardUntilCloseAsync(connection, socket);
        connection.Ended();
        await handling;
    }

    // After refusing an oversized message the rest of it is read and thrown away in a fixed buffer
    // (never accumulated), up to a bound, so the client can read our close; past the bound the socket is dropped.
    private static async Task DiscardUntilCloseAsync(HubConnection connection, WebSocket socket)
    {
        var buffer = new byte[16 * 1024];
        long discarded = 0;
        try
        {
            while (socket.State == WebSocketState.CloseSent && discarded < 256L * 1024 * 1024)
            {
                var received = await socket.ReceiveAsync(buffer, connection.Lifetime);
                if (received.MessageType == WebSocketMessageType.Close) return;
                discarded += received.Count;
            }

            connection.Abort("message-too-big");
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException)
        {
            // The client went away meanwhile.
        }
    }
}
