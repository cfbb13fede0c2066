using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Threading.Channels;
using Apex.Platform.Auth;

namespace Apex.Platform.Realtime.Hub;

/// <summary>
/// One hub WebSocket. Everything sent goes through a bounded queue drained by one pump, because a
/// WebSocket allows one send at a time and because a client that stops reading must cost this
/// process a bounded amount of memory: when the queue is full the connection is dropped.
/// </summary>
public sealed class HubConnection : IAsyncDisposable
{
    private readonly WebSocket _socket;
    private readonly Channel<Outbound> _outbound;
    // Not linked and never disposed: the shutdown's snapshot of the registry, timers and delivery
    // notices may still close or abort a connection after its request finished, and Cancel on a
    // disposed source throws. A plain source without a timer holds nothing to release; what ties
    // it to the request (the registration below) is released in DisposeAsync.
    private readonly CancellationTokenSource _lifetime = new();
    private readonly CancellationTokenRegistration _requestAborted;
    private readonly TimeProvider _time;
    // Room for frames that can wait (a session's log being replayed): at most half the queue, so a
    // backlog larger than the queue never overflows it and the other half stays free for live frames.
    private readonly SemaphoreSlim _pacedRoom;
    private int _queued;
    private int _closing;
    private long _lastActivityTicks;

    public HubConnection(string id, string sessionId, UserContext user, WebSocket socket, HubOptions options, TimeProvider time, CancellationToken aborted)
    {
        Id = id;
        SessionId = sessionId;
        User = user;
        _socket = socket;
        _time = time;
        _requestAborted = aborted.Register(static state => ((CancellationTokenSource)state!).Cancel(), _lifetime);
        QueueCapacity = options.SendQueueCapacity;
        _outbound = Channel.CreateBounded<Outbound>(new BoundedChannelOptions(options.SendQueueCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        _pacedRoom = new SemaphoreSlim(Math.Max(1, options.SendQueueCapacity / 2));
        Touch();
    }

    public string Id { get; }

    public string SessionId { get; }

    public UserContext User { get; }

    /// <summary>Cancelled when the connection ends for any reason; handlers run under it.</summary>
    public CancellationToken Lifetime => _lifetime.Token;

    public int QueueCapacity { get; }

    /// <summary>The most frames ever waiting in the send queue at once.</summary>
    public int PeakQueued { get; private set; }

    /// <summary>Why the server ended the connection, when it did (e.g. "send-queue-full", "idle").</summary>
    public string? EndReason { get; private set; }

    /// <summary>Per-connection state of the hub's features (ordering windows, uploads, token expiry).</summary>
    public ConcurrentDictionary<string, object> Items { get; } = new();

    public DateTimeOffset LastActivity => new(Interlocked.Read(ref _lastActivityTicks), TimeSpan.Zero);

    public bool IsOpen => _socket.State == WebSocketState.Open && !_lifetime.IsCancellationRequested && _closing == 0;

    public void Touch() => Interlocked.Exchange(ref _lastActivityTicks, _time.GetUtcNow().UtcTicks);

    /// <summary>Queues a frame; false (and the connection is dropped) when the client is not keeping up.</summary>
    public bool Send(HubFrame frame) => Enqueue(new Outbound(frame.ToUtf8(), WebSocketMessageType.Text));

    /// <summary>
    /// Queues a frame once the queue has room for it, waiting while the client catches up: for what is
    /// kept elsewhere until sent (the session log), so waiting costs this process nothing.
    /// False when the connection ends first.
    /// </summary>
    public async Task<bool> SendPacedAsync(HubFrame frame)
    {
        try
        {
            await _pacedRoom.WaitAsync(_lifetime.Token);
        }
        catch (OperationCanceledException)
        {
            return false;
        }

        if (Enqueue(new Outbound(frame.ToUtf8(), WebSocketMessageType.Text, Paced: true))) return true;
        _pacedRoom.Release();
        return false;
    }

    public bool SendBinary(byte[] payload) => Enqueue(new Outbound(payload, WebSocketMessageType.Binary));

    /// <summary>Queues the close after everything already queued, so queued frames are drained first.</summary>
    public void Close(int code, string reason, string? endReason = null)
    {
        if (Interlocked.Exchange(ref _closing, 1) == 1) return;
        EndReason ??= endReason ?? reason;
        if (!_outbound.Writer.TryWrite(new Outbound(null, WebSocketMessageType.Close, code, reason))) Abort(endReason ?? reason);
        _outbound.Writer.TryComplete();
    }

    /// <summary>Ends the connection at once, without a close handshake.</summary>
    public void Abort(string reason)
    {
        EndReason ??= reason;
        _outbound.Writer.TryComplete();
        _lifetime.Cancel();
        _socket.Abort();
    }

    private bool Enqueue(Outbound item)
    {
        // After a close is queued nothing more is sent; a late frame is dropped, the close proceeds.
        if (Volatile.Read(ref _closing) == 1) return false;
        if (!_outbound.Writer.TryWrite(item))
        {
            if (!_lifetime.IsCancellationRequested && _socket.State == WebSocketState.Open) Abort("send-queue-full");
            return false;
        }

        var queued = Interlocked.Increment(ref _queued);
        if (queued > PeakQueued) PeakQueued = queued;
        return true;
    }

    /// <summary>Sends queued frames until the queue completes (a close) or the connection ends.</summary>
    public async Task PumpAsync()
    {
        try
        {
            await foreach (var item in _outbound.Reader.ReadAllAsync(_lifetime.Token))
            {
                Interlocked.Decrement(ref _queued);
                if (item.Paced) _pacedRoom.Release();
                if (item.Payload is null)
                {
                    await CloseOutputAsync(item);
                    return;
                }

                await _socket.SendAsync(item.Payload, item.Type, true, _lifetime.Token);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
            // The connection ended under the pump; the receive loop reports why.
        }
    }

    private async Task CloseOutputAsync(Outbound close)
    {
        if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            await _socket.CloseOutputAsync((WebSocketCloseStatus)close.CloseCode, close.Reason, _lifetime.Token);
        }
    }

    /// <summary>Called by the receive loop when the socket is gone: stops the pump and every handler.</summary>
    public void Ended()
    {
        _outbound.Writer.TryComplete();
        _lifetime.Cancel();
    }

    public ValueTask DisposeAsync() => _requestAborted.DisposeAsync();

    private sealed record Outbound(byte[]? Payload, WebSocketMessageType Type, int CloseCode = 0, string? Reason = null, bool Paced = false);
}
