using System.Net;
using System.Net.WebSockets;
using System.Text.Json;
using Apex.Platform.Realtime;

namespace Apex.Integration.Infrastructure;

/// <summary>A real client WebSocket to a platform instance, speaking its JSON envelope.</summary>
public sealed class WebSocketClient(ClientWebSocket socket) : IAsyncDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Connects with the token in the Authorization header (or the query, as browsers must).</summary>
    public static async Task<WebSocketClient> ConnectAsync(PlatformInstance platform, string token, bool tokenInQuery = false)
    {
        var socket = new ClientWebSocket();
        var uri = platform.WebSocketUri(tokenInQuery ? $"/ws?access_token={token}" : "/ws");
        if (!tokenInQuery) socket.Options.SetRequestHeader("Authorization", $"Bearer {token}");
        await socket.ConnectAsync(uri, TestContext.Current.CancellationToken);
        return new WebSocketClient(socket);
    }

    /// <summary>The status the handshake was answered with, when the server refused to upgrade.</summary>
    public static async Task<HttpStatusCode> RefusedHandshakeAsync(PlatformInstance platform, string token)
    {
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        socket.Options.SetRequestHeader("Authorization", $"Bearer {token}");
        await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(platform.WebSocketUri("/ws"), TestContext.Current.CancellationToken));
        return socket.HttpStatusCode;
    }

    public Task SendAsync(RealtimeMessage message) =>
        socket.SendAsync(JsonSerializer.SerializeToUtf8Bytes(message, Json), WebSocketMessageType.Text, true, TestContext.Current.CancellationToken);

    public async Task<RealtimeMessage> ReceiveAsync()
    {
        var buffer = new byte[64 * 1024];
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        var result = await socket.ReceiveAsync(buffer, timeout.Token);
        return JsonSerializer.Deserialize<RealtimeMessage>(buffer.AsSpan(0, result.Count), Json)!;
    }

    /// <summary>Waits for the server to close the connection, skipping any messages before it, and returns its close status.</summary>
    public async Task<WebSocketCloseStatus?> ReceiveCloseAsync()
    {
        var buffer = new byte[64 * 1024];
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        while ((await socket.ReceiveAsync(buffer, timeout.Token)).MessageType != WebSocketMessageType.Close)
        {
        }

        return socket.CloseStatus;
    }

    public async Task CloseAsync()
    {
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", TestContext.Current.CancellationToken);
    }

    public ValueTask DisposeAsync()
    {
        socket.Dispose();
        return ValueTask.CompletedTask;
    }
}
