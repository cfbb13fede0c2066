using System.Net.WebSockets;
using System.Text.Json;
using System.Threading.Channels;
using Apex.Integration.Infrastructure;
using Apex.Platform.Realtime.Hub;

namespace Apex.Integration.WebSocketRealtime;

/// <summary>
/// A real ClientWebSocket on the hub's /realtime endpoint. A background loop reads every frame
/// into a queue (so the server never waits on the test), answers pings unless told not to, and
/// records the close status; tests take frames by type.
/// </summary>
public sealed class HubClient : IAsyncDisposable
{
    private readonly ClientWebSocket _socket;
    private readonly Channel<HubFrame> _frames = Channel.CreateUnbounded<HubFrame>();
    private readonly TaskCompletionSource<WebSocketCloseStatus?> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim _send = new(1, 1);
    private readonly Task _reading;
    private readonly List<HubFrame> _pending = [];

    private HubClient(ClientWebSocket socket, HubFrame welcome, bool read)
    {
        _socket = socket;
        Welcome = welcome;
        _reading = read ? Task.Run(ReadLoopAsync) : Task.CompletedTask;
    }

    public HubFrame Welcome { get; }

    public string ConnectionId => Welcome.Data!.Value.GetProperty("connectionId").GetString()!;

    public string SessionId => Welcome.Data!.Value.GetProperty("sessionId").GetString()!;

    public string Instance => Welcome.Data!.Value.GetProperty("instance").GetString()!;

    public bool AnswerPings { get; set; } = true;

    /// <summary>Sequence numbers of the "message" frames taken so far, in arrival order.</summary>
    public List<long> SeenSeqs { get; } = [];

    /// <summary>The type of every frame received after the welcome, in arrival order.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<string> Received { get; } = new();

    public ClientWebSocket Socket => _socket;

    public Task<WebSocketCloseStatus?> Closed => _closed.Task;

    public static Uri Endpoint(PlatformInstance platform, string? session = null, long? lastSeq = null)
    {
        var query = session is null ? string.Empty : $"?session={session}" + (lastSeq is { } seq ? $"&lastSeq={seq}" : string.Empty);
        return platform.WebSocketUri("/realtime" + query);
    }

    /// <summary>Connects and reads the welcome frame. <paramref name="read"/> false leaves the socket unread after it (a client that stops reading).</summary>
    public static async Task<HubClient> ConnectAsync(Uri endpoint, string token, Action<ClientWebSocketOptions>? configure = null, HttpMessageInvoker? invoker = null, bool read = true)
    {
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", $"Bearer {token}");
        configure?.Invoke(socket.Options);
        await socket.ConnectAsync(endpoint, invoker, Cancel);
        var welcome = await ReadOneAsync(socket) ?? throw new InvalidOperationException("The hub closed without a welcome.");
        Assert.Equal(HubFrameTypes.Welcome, welcome.Type);
        return new HubClient(socket, welcome, read);
    }

    public static CancellationToken Cancel => TestContext.Current.CancellationToken;

    /// <summary>The next item of a reader (e.g. the platform client's frames), failing the test after 20 s.</summary>
    public static async Task<T> WithinAsync<T>(System.Threading.Channels.ChannelReader<T> reader)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        timeout.CancelAfter(TimeSpan.FromSeconds(20));
        return await reader.ReadAsync(timeout.Token);
    }

    public async Task SendAsync(HubFrame frame)
    {
        await _send.WaitAsync(Cancel);
        try
        {
            await _socket.SendAsync(frame.ToUtf8(), WebSocketMessageType.Text, true, Cancel);
        }
        finally
        {
            _send.Release();
        }
    }

    public async Task SendBinaryAsync(byte[] payload)
    {
        await _send.WaitAsync(Cancel);
        try
        {
            await _socket.SendAsync(payload, WebSocketMessageType.Binary, true, Cancel);
        }
        finally
        {
            _send.Release();
        }
    }

    public Task SendAsync(string type, object data, string? id = null, long? seq = null) => SendAsync(HubFrame.Of(type, data, id, seq));

    /// <summary>The next frame of the given type; frames of other types stay for later calls, in order.</summary>
    public async Task<HubFrame> NextAsync(string type, int seconds = 10)
    {
        lock (_pending)
        {
            var index = _pending.FindIndex(f => f.Type == type);
            if (index >= 0)
            {
                var found = _pending[index];
                _pending.RemoveAt(index);
                return found;
            }
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        timeout.CancelAfter(TimeSpan.FromSeconds(seconds));
        while (true)
        {
            var frame = await _frames.Reader.ReadAsync(timeout.Token);
            if (frame.Type == type) return frame;
            lock (_pending) _pending.Add(frame);
        }
    }

    /// <summary>The next frame of any type (the oldest one kept by <see cref="NextAsync(string, int)"/> first).</summary>
    public async Task<HubFrame> NextAnyAsync(int seconds = 10)
    {
        lock (_pending)
        {
            if (_pending.Count > 0)
            {
                var first = _pending[0];
                _pending.RemoveAt(0);
                return first;
            }
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        timeout.CancelAfter(TimeSpan.FromSeconds(seconds));
        return await _frames.Reader.ReadAsync(timeout.Token);
    }

    /// <summary>The next "message" frame of the platform client, skipping its other frames (leader notices).</summary>
    public static async Task<HubFrame> NextMessageAsync(Apex.Platform.Realtime.Client.ReconnectingHubClient client)
    {
        while (true)
        {
            var frame = await WithinAsync(client.Frames);
            if (frame.Type == HubFrameTypes.Message) return frame;
        }
    }

    /// <summary>Every frame of the type that arrived so far, without waiting.</summary>
    public List<HubFrame> Drain(string type)
    {
        var found = new List<HubFrame>();
        while (_frames.Reader.TryRead(out var frame))
        {
            if (frame.Type == type) found.Add(frame);
        }

        return found;
    }

    public async Task<WebSocketCloseStatus?> ClosedWithinAsync(int seconds = 10) => await Closed.WaitAsync(TimeSpan.FromSeconds(seconds), Cancel);

    public Task CloseAsync() => _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "done", Cancel);

    /// <summary>Drops the connection without a close handshake, as a crashed tab or a lost network would.</summary>
    public void Abort() => _socket.Abort();

    private async Task ReadLoopAsync()
    {
        try
        {
            while (await ReadOneAsync(_socket) is { } frame)
            {
                if (frame.Type == HubFrameTypes.Ping && AnswerPings) await SendAsync(new HubFrame(HubFrameTypes.Pong, Seq: frame.Seq));
                if (frame.Type == HubFrameTypes.Message && frame.Seq is { } seq) SeenSeqs.Add(seq);
                Received.Enqueue(frame.Type);
                await _frames.Writer.WriteAsync(frame);
            }

            await AnswerCloseAsync();
            _closed.TrySetResult(_socket.CloseStatus);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            _closed.TrySetResult(_socket.CloseStatus);
        }
        finally
        {
            _frames.Writer.TryComplete();
        }
    }

    // Under the send lock: a close may arrive while the test is still sending (an oversized message).
    private async Task AnswerCloseAsync()
    {
        await _send.WaitAsync();
        try
        {
            if (_socket.State == WebSocketState.CloseReceived) await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
        }
        finally
        {
            _send.Release();
        }
    }

    private static async Task<HubFrame?> ReadOneAsync(ClientWebSocket socket)
    {
        var buffer = new byte[256 * 1024];
        var total = 0;
        while (true)
        {
            var received = await socket.ReceiveAsync(buffer.AsMemory(total), CancellationToken.None);
            if (received.MessageType == WebSocketMessageType.Close) return null;
            total += received.Count;
            if (!received.EndOfMessage) continue;
            if (received.MessageType == WebSocketMessageType.Binary) return new HubFrame("binary", Data: JsonSerializer.SerializeToElement(total));
            return JsonSerializer.Deserialize<HubFrame>(buffer.AsSpan(0, total), HubFrame.Json);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _socket.Abort();
        await _reading;
        _socket.Dispose();
        _send.Dispose();
    }
}
