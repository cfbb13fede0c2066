using System.Net.Http;
using System.Net.Sockets;

namespace Apex.Integration.Infrastructure;

/// <summary>Answers whether a Docker engine is there to start containers (the client alone is not enough).</summary>
public static class DockerEngine
{
    private static readonly Lazy<Task<bool>> Available = new(ProbeAsync);

    public static Task<bool> IsAvailableAsync() => Available.Value;

    private static async Task<bool> ProbeAsync()
    {
        if (System.Environment.GetEnvironmentVariable("APEX_TEST_NO_DOCKER") == "1") return false;
        var host = System.Environment.GetEnvironmentVariable("DOCKER_HOST");
        var socketPath = host is null ? "/var/run/docker.sock" : host.StartsWith("unix://", StringComparison.Ordinal) ? host[7..] : null;
        try
        {
            using var client = socketPath is null ? new HttpClient { BaseAddress = new Uri(host!.Replace("tcp://", "http://", StringComparison.Ordinal)) } : UnixSocketClient(socketPath);
            if (socketPath is not null && !File.Exists(socketPath)) return false;
            client.Timeout = TimeSpan.FromSeconds(3);
            using var response = await client.GetAsync(new Uri("/_ping", UriKind.Relative));
            return response.IsSuccessStatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or SocketException or TaskCanceledException or IOException)
        {
            return false;
        }
    }

    private static HttpClient UnixSocketClient(string path)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, token) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), token);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        return new HttpClient(handler) { BaseAddress = new Uri("http://docker") };
    }
}
