using System.Net;
using System.Net.Sockets;

namespace Apex.Integration.Infrastructure;

/// <summary>
/// Finds a loopback port nobody listens on for a server the suite starts. The port is taken from
/// just below the kernel's ephemeral range: a port from inside it (what binding port 0 gives) can
/// be handed to any outgoing connection on the machine - pg_basebackup's own, a Redis client's -
/// between the moment it is chosen and the moment the server binds it, and the server then exits
/// with "address already in use". Outside the range, only another test's choice can collide, and
/// the choice is random over thousands of ports and checked by binding it.
/// </summary>
public static class FreePort
{
    private const int Span = 12_000;
    private const int Attempts = 200;

    public static int Next() => NextWith(0);

    /// <summary>A free port whose companion port <paramref name="offset"/> above it is free too (a Redis cluster node's bus port).</summary>
    public static int NextWith(int offset)
    {
        var below = EphemeralRangeStart();
        if (below - offset > Span + 1024)
        {
            for (var attempt = 0; attempt < Attempts; attempt++)
            {
                var port = Random.Shared.Next(below - Span - offset, below - offset);
                if (IsFree(port) && (offset == 0 || IsFree(port + offset))) return port;
            }
        }

        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static int EphemeralRangeStart()
    {
        try
        {
            return int.Parse(File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries)[0]);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return 0;
        }
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
