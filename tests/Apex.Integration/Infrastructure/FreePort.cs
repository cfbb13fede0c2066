using System.Net;
using System.Net.Sockets;

namespace Apex.Integration.Infrastructure;

/// <summary>Finds a loopback port nobody listens on, by letting the OS pick one.</summary>
public static class FreePort
{
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
