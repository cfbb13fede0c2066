using System.Net;
using System.Net.WebSockets;
using System.Text.Json;
using System.Threading.Channels;
using Apex.Platform.Realtime.Hub;

namespace Apex.Platform.Realtime.Client;

/// <summary>
/// The platform's hub client for services and tools: answers pings, tracks its session and the
/// last sequence it received, and when the connection ends for any reason but its own disposal
/// it reconnects by itself (to the next endpoint when it has several), resuming the session so
/// nothing routed meanwhile is lost. Cookies (a load balancer's affinity cookie) are kept across
/// reconnects.
/// </summary>
public sealed class ReconnectingHubClient(IReadOnlyList<Uri> endpoints, Func<string> token, TimeProvider time, TimeSpan? retryDelay = null) : IAsyncDisposable
{
    private readonly CancellationTokenSource _disposed = new();
    private readonly Channel<HubFrame> _frames = Channel.CreateUnbounded<HubFrame>();
    private readonly Channel<HubFrame> _welcomes = Channel.CreateUnbounded<HubFrame>();
    private readonly SemaphoreSlim _send = new(1, 1);
    private ClientWebSocket? _socket;
    private Task _loop = Task.CompletedTask;
    private int _endpoint;

    public CookieContainer Cookies { get; } = new();

    /// <summary>False makes the client ignore pings, as a hung application would.</summary>
    public bool AnswerPings { get; set; } = true;

    public string? SessionId { get; private set; }

    public long LastSeq { get; private set; }

    /// <summary>The close status of each connection that ended, in order.</summary>
    public List<WebSocketCloseStatus?> Closes { get; } = [];

    /// <summary>Every frame but pings and welcomes, across reconnects.</summary>
    public ChannelReader<HubFrame> Frames => _frames.Reader;

    /// <summary>The welcome frame of each connection made, the first included.</summary>
    public ChannelReader<HubFrame> Welcomes => _welcomes.Reader;

    public void Start() => _loop = Task.Run(RunAsync);

    public async Task SendAsync(HubFrame frame, CancellationToken cancellationToken)
    {
        await _send.WaitAsync(cancellationToken);
        try
        {
            if (_socket is not { State: WebSocketState.Open } socket) throw new InvalidOperationException("Not connected.");
            await socket.SendAsync(frame.ToUtf8(), WebSocketMessageType.Text, true, cancellationToken);
        }
        finally
        {
            _send.Release();
        }
    }

    private async Task RunAsync()
    {
        var failures = 0;
        while (!_disposed.IsCancellationRequested)
        {
            try
            {
                await ConnectAsync();
                failures = 0;
                await ReadAsync(_socket!);
            }
            catch (Exception e) when (e is WebSocketException or HttpRequestException or IOException)
            {
                failures++;
                _endpoint = (_endpoint + 1) % endpoints.Count;
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException && _disposed.IsCancellationRequested)
            {
                // Disposed: ClientWebSocket.Abort() disposes the socket, so a receive between two frames may see it disposed.
                return;
            }

            if (failures > 0) await BackOffAsync();
        }
    }

    private async Task BackOffAsync()
    {
        try
        {
            await Task.Delay(retryDelay ?? TimeSpan.FromMilliseconds(100), time, _disposed.Token);
        }
        catch (OperationCanceledException)
        {
            // Disposed while waiting.
        }
    }

    private async Task ConnectAsync()
    {
        var socket = new ClientWebSocket();
        socket.Options.Cookies = Cookies;
        socket.Options.SetRequestHeader("Authorization", $"Bearer {token()}");
        var query = SessionId is null ? string.Empty : $"?session={SessionId}&lastSeq={LastSeq}";
        var endpoint = new UriBuilder(new Uri(endpoints[_endpoint], "realtime" + query)) { Scheme = endpoints[_endpoint].Scheme == "https" ? "wss" : "ws" };
        await socket.ConnectAsync(endpoint.Uri, _disposed.Token);
        _socket?.Dispose();
        _socket = socket;
    }

    private async Task ReadAsync(ClientWebSocket socket)
    {
        var buffer = new byte[256 * 1024];
        while (true)
        {
            var total = 0;
            ValueWebSocketReceiveResult received;
            do
            {
                received = await socket.ReceiveAsync(buffer.AsMemory(total), _disposed.Token);
                total += received.Count;
            }
            while (!received.EndOfMessage && received.MessageType != WebSocketMessageType.Close);

            if (received.MessageType == WebSocketMessageType.Close)
            {
                Closes.Add(socket.CloseStatus);
                if (socket.State == WebSocketState.CloseReceived) await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", _disposed.Token);
                // Another instance next, when there are several: this one said it is going away.
                _endpoint = (_endpoint + 1) % endpoints.Count;
                return;
            }

            if (received.MessageType == WebSocketMessageType.Text) await OnFrameAsync(JsonSerializer.Deserialize<HubFrame>(buffer.AsSpan(0, total), HubFrame.Json)!);
        }
    }

    private async Task OnFrameAsync(HubFrame frame)
    {
        switch (frame.Type)
        {
            case HubFrameTypes.Welcome:
                SessionId = frame.Data!.Value.GetProperty("sessionId").GetString();
                await _welcomes.Writer.WriteAsync(frame);
                return;
            case HubFrameTypes.Ping:
                if (AnswerPings) await SendAsync(new HubFrame(HubFrameTypes.Pong, Seq: frame.Seq), _disposed.Token);
                return;
            case HubFrameTypes.Message when frame.Seq is { } seq:
                LastSeq = seq;
                break;
        }

        await _frames.Writer.WriteAsync(frame);
    }

    public async ValueTask DisposeAsync()
    {
        await _disposed.CancelAsync();
        _socket?.Abort();
        await _loop;
        _socket?.Dispose();
        _disposed.Dispose();
        _send.Dispose();
    }
}
