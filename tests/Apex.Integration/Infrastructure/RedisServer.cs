using System.Net.Sockets;
using DotNet.Testcontainers.Containers;
using StackExchange.Redis;
using Testcontainers.Redis;

namespace Apex.Integration.Infrastructure;

/// <summary>
/// The Redis server of the test assembly. Tests share it and isolate their data with a key prefix
/// of their own (<see cref="NewKeyPrefix"/>), so test classes run in parallel safely.
/// </summary>
public sealed class RedisServer : ServerFixture
{
    public string ConnectionString { get; private set; } = string.Empty;

    protected override string Name => "redis";

    protected override string EnvironmentVariable => "APEX_TEST_REDIS";

    /// <summary>A key prefix no other test uses: "it:{owner}:{random}:".</summary>
    public static string NewKeyPrefix(string owner) => $"it:{owner}:{Guid.NewGuid():N}:";

    public override async Task<WatchedProcess> StartLocalAsync(int ownerPid)
    {
        var binary = RequireBinary("redis-server", "redis-server");
        var port = FreePort.Next();
        var directory = NewTempDirectory();
        var process = await WatchedProcess.StartAsync(new ServerCommand(
            [binary, "--port", port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", directory, "--daemonize", "no", "--protected-mode", "no",
             "--proc-title-template", ProcessTitle(directory)],
            directory), ownerPid);
        await WaitUntilAsync($"redis-server on port {port}", () => PingAsync(port), process);
        ConnectionString = $"127.0.0.1:{port}";
        return process;
    }

    /// <summary>
    /// Redis replaces its command line with its own title ("redis-server 127.0.0.1:port"), which
    /// would hide the run's "apex-it-{run id}-" marker from the leftover checks; the title keeps it.
    /// </summary>
    public static string ProcessTitle(string directory) => $"{{title}} {{listen-addr}} {{server-mode}} {Path.GetFileName(directory)}";

    protected override Task UseExistingAsync(string connection)
    {
        ConnectionString = connection;
        return Task.CompletedTask;
    }

    protected override IContainer CreateContainer() => new RedisBuilder("redis:7.0").Build();

    protected override Task UseContainerAsync(IContainer container)
    {
        ConnectionString = ((RedisContainer)container).GetConnectionString();
        return Task.CompletedTask;
    }

    private static async Task<bool> PingAsync(int port)
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port);
        await using var stream = client.GetStream();
        await stream.WriteAsync("PING\r\n"u8.ToArray());
        var buffer = new byte[16];
        var read = await stream.ReadAsync(buffer);
        return System.Text.Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
    }

    /// <summary>A new connection for one test class; the caller disposes it.</summary>
    public Task<ConnectionMultiplexer> ConnectAsync() => ConnectionMultiplexer.ConnectAsync(ConnectionString);
}
