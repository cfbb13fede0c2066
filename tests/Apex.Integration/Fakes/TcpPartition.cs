using System.Net;
using System.Net.Sockets;

namespace Apex.Integration.Fakes;

/// <summary>
/// A loopback TCP relay in front of a real server, to cut the network between the platform and
/// it: <see cref="Cut"/> drops every open connection and refuses new ones (accepted, then closed at
/// once), <see cref="Heal"/> lets traffic through again. The server itself keeps running.
/// </summary>
public sealed class TcpPartition : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TcpClient> _open = [];
    private readonly Lock _gate = new();
    private readonly Task _accepting;
    private volatile bool _cut;
    private int _attempts;

    public TcpPartition(IPEndPoint target)
    {
        _target = target;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Connections attempted so far (refused ones included): shows whether the platform still tries.</summary>
    public int ConnectionAttempts => Volatile.Read(ref _attempts);

    public void Cut()
    {
        _cut = true;
        lock (_gate)
        {
            foreach (var client in _open) client.Dispose();
            _open.Clear();
        }
    }

    public void Heal() => _cut = false;

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient inbound;
            try
            {
                inbound = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            Interlocked.Increment(ref _attempts);
            if (_cut) inbound.Dispose();
            else _ = RelayAsync(inbound);
        }
    }

    private async Task RelayAsync(TcpClient inbound)
    {
        using var outbound = new TcpClient();
        try
        {
            await outbound.ConnectAsync(_target, _stop.Token);
            lock (_gate) _open.AddRange([inbound, outbound]);
            await using var a = inbound.GetStream();
            await using var b = outbound.GetStream();
            await Task.WhenAny(a.CopyToAsync(b, _stop.Token), b.CopyToAsync(a, _stop.Token));
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // The partition (or the end of the test) closed the connection: exactly what it is for.
        }
        finally
        {
            inbound.Dispose();
            lock (_gate) _open.RemoveAll(c => c == inbound || c == outbound);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        Cut();
        await _accepting;
        _stop.Dispose();
    }
}
