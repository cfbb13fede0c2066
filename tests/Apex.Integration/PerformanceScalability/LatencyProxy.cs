using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;

namespace Apex.Integration.PerformanceScalability;

/// <summary>
/// A loopback TCP relay that delays every chunk it forwards towards the server by a fixed time,
/// like a distant network: a chunk read at t is written at t + delay, and chunks keep their order.
/// The delay is a lower bound on any round trip through it, whatever the machine's load.
/// </summary>
public sealed class LatencyProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TcpClient> _open = [];
    private readonly Task _accepting;

    public LatencyProxy(IPEndPoint target, TimeSpan delay)
    {
        _target = target;
        Delay = delay;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public TimeSpan Delay { get; }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var inbound = await _listener.AcceptTcpClientAsync(_stop.Token);
                _ = RelayAsync(inbound);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task RelayAsync(TcpClient inbound)
    {
        using var outbound = new TcpClient();
        try
        {
            await outbound.ConnectAsync(_target, _stop.Token);
            lock (_open) _open.AddRange([inbound, outbound]);
            var a = inbound.GetStream();
            var b = outbound.GetStream();
            await Task.WhenAny(DelayedCopyAsync(a, b), b.CopyToAsync(a, _stop.Token));
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
        }
        finally
        {
            inbound.Dispose();
        }
    }

    private async Task DelayedCopyAsync(Stream from, Stream to)
    {
        var chunks = Channel.CreateUnbounded<(long At, byte[] Bytes)>();
        var writer = Task.Run(async () =>
        {
            await foreach (var (at, bytes) in chunks.Reader.ReadAllAsync(_stop.Token))
            {
                // Task.Delay counts whole milliseconds (149.7 ms waits 149 ms) and its timer may fire a
                // little early: wait again until the full delay has passed, so no chunk arrives sooner.
                TimeSpan wait;
                while ((wait = Delay - TimeProvider.System.GetElapsedTime(at)) > TimeSpan.Zero)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(Math.Ceiling(wait.TotalMilliseconds)), _stop.Token);
                }

                await to.WriteAsync(bytes, _stop.Token);
            }
        });
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await from.ReadAsync(buffer, _stop.Token)) > 0) chunks.Writer.TryWrite((TimeProvider.System.GetTimestamp(), buffer[..read]));
        chunks.Writer.TryComplete();
        await writer;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        lock (_open) foreach (var client in _open) client.Dispose();
        await _accepting;
        _stop.Dispose();
    }
}
