using System.Diagnostics;
using System.Net.Sockets;
using Apex.Integration.Infrastructure;

namespace Apex.Integration.CacheStateManagement.Topologies;

/// <summary>
/// Starts redis-server and redis-sentinel processes for a topology through <see cref="WatchedProcess"/>,
/// like the assembly's servers: each in a temp directory named "apex-it-{run id}-{name}-..." (so it
/// is in the command line the leftover checks look for), each stopped with the test host.
/// </summary>
public static class LocalRedis
{
    public static string NewDirectory(string name)
    {
        var run = Environment.GetEnvironmentVariable("APEX_TEST_RUN_ID") is { Length: > 0 } id ? id : "adhoc";
        var path = Path.Combine(Path.GetTempPath(), $"apex-it-{run}-{name}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        return path;
    }

    private const int ClusterBusOffset = 10_000;

    /// <summary>A redis-server on a free loopback port, with <paramref name="arguments"/> added; ready when it answers PING.</summary>
    public static async Task<RedisProcess> StartServerAsync(string name, params string[] arguments)
    {
        var directory = NewDirectory(name);
        // A cluster node also listens on its bus port, port + 10000, which CLUSTER MEET assumes: both must be free.
        var port = arguments.Contains("--cluster-enabled") ? FreePort.NextWith(ClusterBusOffset) : FreePort.Next();
        var process = await WatchedProcess.StartAsync(new ServerCommand(
            [Binary("redis-server"), "--port", port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", directory, "--daemonize", "no", "--protected-mode", "no",
             "--proc-title-template", RedisServer.ProcessTitle(directory), .. arguments],
            directory), Environment.ProcessId);
        await WaitForPingAsync(port, process);
        return new RedisProcess(process, port);
    }

    /// <summary>A redis-sentinel watching <paramref name="masterPort"/> as <paramref name="service"/>, quorum 2.</summary>
    public static async Task<RedisProcess> StartSentinelAsync(string service, int masterPort)
    {
        var directory = NewDirectory("sentinel");
        var port = FreePort.Next();
        var config = Path.Combine(directory, "sentinel.conf");
        await File.WriteAllLinesAsync(config,
        [
            $"port {port}", "bind 127.0.0.1", "protected-mode no", $"dir {directory}",
            $"proc-title-template \"{RedisServer.ProcessTitle(directory)}\"",
            $"sentinel monitor {service} 127.0.0.1 {masterPort} 2",
            $"sentinel down-after-milliseconds {service} 1000",
            $"sentinel failover-timeout {service} 5000",
            $"sentinel parallel-syncs {service} 1",
        ]);
        var process = await WatchedProcess.StartAsync(new ServerCommand([Binary("redis-sentinel"), config], directory), Environment.ProcessId);
        await WaitForPingAsync(port, process);
        return new RedisProcess(process, port);
    }

    public static async Task RunAsync(string file, params string[] arguments)
    {
        var info = new ProcessStartInfo(Binary(file)) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} failed: {await output} {await error}");
    }

    private static string Binary(string name) =>
        new[] { "/usr/bin", "/usr/sbin", "/usr/local/bin" }.Select(dir => Path.Combine(dir, name)).FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException($"'{name}' is not installed (apt-get install redis-server redis-sentinel).");

    private static async Task WaitForPingAsync(int port, WatchedProcess process)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (process.HasExited) throw new InvalidOperationException($"Redis on port {port} exited during start-up. Its last output:\n{process.RecentOutput}");
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", port);
                await using var stream = client.GetStream();
                await stream.WriteAsync("PING\r\n"u8.ToArray());
                var buffer = new byte[16];
                var read = await stream.ReadAsync(buffer);
                if (System.Text.Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal)) return;
            }
            catch (SocketException)
            {
                // Not listening yet.
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"Redis on port {port} did not answer PING within 30 s.");
    }
}

/// <summary>One started process of a topology and its port; disposing stops it and removes its directory.</summary>
public sealed class RedisProcess(WatchedProcess process, int port) : IAsyncDisposable
{
    public int Port { get; } = port;

    public string Endpoint => $"127.0.0.1:{Port}";

    public WatchedProcess Process { get; } = process;

    /// <summary>SIGKILL to the server itself, as a crash would; its watchdog then cleans up.</summary>
    public void Crash() => System.Diagnostics.Process.GetProcessById(Process.ServerId).Kill();

    public ValueTask DisposeAsync() => Process.DisposeAsync();
}
