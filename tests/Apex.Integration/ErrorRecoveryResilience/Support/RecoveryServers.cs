using System.Diagnostics;
using System.Net.Sockets;
using Apex.Integration.Infrastructure;
using Npgsql;

namespace Apex.Integration.ErrorRecoveryResilience.Support;

[CollectionDefinition(Name)]
public sealed class RecoveryServersCollection : ICollectionFixture<RecoveryServers>
{
    public const string Name = "recovery-servers";
}

/// <summary>
/// A Redis and a PostgreSQL of their own for the recovery tests, which kill and restart them —
/// never the shared assembly servers other classes use. Started once per test collection from the
/// local binaries under <see cref="WatchedProcess"/>, each incarnation with "apex-it-&lt;run id&gt;-" in
/// its watchdog's command line and dying with the test host. Their data outlives a killed server:
/// it lives under a root directory owned by a keeper process (itself watched), not in the
/// incarnation's directory, which a watchdog deletes when its server dies.
/// </summary>
public sealed class RecoveryServers : IAsyncLifetime
{
    private const string ServiceUser = "postgres";
    private static readonly bool AsRoot = Environment.UserName == "root";
    private readonly List<WatchedProcess> _all = [];
    private string _root = string.Empty;

    public int RedisPort { get; } = FreePort.Next();

    public int PostgresPort { get; } = FreePort.Next();

    public WatchedProcess Redis { get; private set; } = null!;

    public WatchedProcess Postgres { get; private set; } = null!;

    public string RedisConnectionString => $"127.0.0.1:{RedisPort},abortConnect=false";

    public string PostgresConnectionString(string database) =>
        $"Host=127.0.0.1;Port={PostgresPort};Username=postgres;Database={database};Timeout=3;Command Timeout=5";

    public async ValueTask InitializeAsync()
    {
        var run = Environment.GetEnvironmentVariable("APEX_TEST_RUN_ID") is { Length: > 0 } id ? id : "adhoc";
        _root = Path.Combine(Path.GetTempPath(), $"apex-it-{run}-recovery-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path.Combine(_root, "redis"));
        // The keeper: a watched idle process whose directory is the data root, removed when the test host goes.
        _all.Add(await WatchedProcess.StartAsync(new ServerCommand(["bash", "-c", "while sleep 1; do :; done", _root], _root), Environment.ProcessId));
        if (AsRoot) await RunAsync("chown", "-R", ServiceUser, _root);
        await RunAsync(Prefixed(Binary("initdb"), "-D", Path.Combine(_root, "pgdata"), "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8"));
        await StartRedisAsync();
        await StartPostgresAsync();
        await using var admin = new NpgsqlConnection(PostgresConnectionString("postgres"));
        await admin.OpenAsync();
        await new NpgsqlCommand("CREATE DATABASE apex_recovery", admin).ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        for (var i = _all.Count - 1; i >= 0; i--) await _all[i].DisposeAsync();
    }

    /// <summary>Redis with every acknowledged write in its append-only file before the answer (appendfsync always).</summary>
    public async Task StartRedisAsync()
    {
        Redis = await StartAsync("redis",
            [Binary("redis-server"), "--port", RedisPort.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "yes",
             "--appendfsync", "always", "--dir", Path.Combine(_root, "redis"), "--daemonize", "no", "--protected-mode", "no",
             "--proc-title-template", RedisServer.ProcessTitle(_root)], "TERM",
            () => CanConnectAsync(RedisPort));
    }

    /// <summary>PostgreSQL with synchronous commit: a committed transaction is in the WAL before the answer.</summary>
    public async Task StartPostgresAsync()
    {
        Postgres = await StartAsync("postgres",
            Prefixed(Binary("postgres"), "-D", Path.Combine(_root, "pgdata"), "-p", PostgresPort.ToString(), "-k", _root,
                "-c", "listen_addresses=127.0.0.1", "-c", "synchronous_commit=on", "-c", "max_connections=50"), "INT",
            async () =>
            {
                await using var connection = new NpgsqlConnection(PostgresConnectionString("postgres") + ";Pooling=false");
                await connection.OpenAsync();
                return true;
            });
    }

    /// <summary>SIGKILL to the server itself: no shutdown, no flush — a crash. Returns once it is gone.</summary>
    public static async Task KillAsync(WatchedProcess server)
    {
        using (var kill = Process.Start("kill", ["-KILL", server.ServerId.ToString()])) await kill.WaitForExitAsync();
        var clock = Stopwatch.StartNew();
        while (!server.ServerHasExited && clock.Elapsed < TimeSpan.FromSeconds(10)) await Task.Delay(50);
        await server.DisposeAsync();
    }

    private async Task<WatchedProcess> StartAsync(string name, string[] command, string stopSignal, Func<Task<bool>> ready)
    {
        // A crashed PostgreSQL's backends take a moment to notice and exit; until then a new postmaster refuses the data directory.
        for (var attempt = 1; ; attempt++)
        {
            var incarnation = Path.Combine(_root, $"{name}-{Guid.NewGuid():N}");
            Directory.CreateDirectory(incarnation);
            var process = await WatchedProcess.StartAsync(new ServerCommand(command, incarnation, stopSignal), Environment.ProcessId);
            _all.Add(process);
            if (await WaitReadyAsync(process, ready)) return process;
            if (attempt == 20) throw new InvalidOperationException($"{name} did not start on its data after {attempt} attempts.");
            await Task.Delay(500);
        }
    }

    private static async Task<bool> WaitReadyAsync(WatchedProcess process, Func<Task<bool>> ready)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (process.ServerHasExited) return false;
            try
            {
                if (await ready()) return true;
            }
            catch (Exception e) when (e is SocketException or NpgsqlException or IOException)
            {
                // Not accepting connections yet.
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("A recovery test server did not become ready within 60 s.");
    }

    private static async Task<bool> CanConnectAsync(int port)
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port);
        await using var stream = client.GetStream();
        await stream.WriteAsync("PING\r\n"u8.ToArray());
        var buffer = new byte[64];
        var read = await stream.ReadAsync(buffer);
        return System.Text.Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
    }

    private static string[] Prefixed(string binary, params string[] arguments) =>
        AsRoot ? ["setpriv", "--reuid", ServiceUser, "--regid", ServiceUser, "--init-groups", binary, .. arguments] : [binary, .. arguments];

    private static string Binary(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Append("/usr/sbin").Append("/usr/lib/postgresql/15/bin").Select(dir => Path.Combine(dir, name)).FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException($"'{name}' is not installed; the recovery tests start their own servers from local binaries.");

    private static Task RunAsync(params string[] command) => RunAsync(command.AsEnumerable());

    private static async Task RunAsync(IEnumerable<string> command)
    {
        var parts = command.ToArray();
        var info = new ProcessStartInfo(parts[0]) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in parts.Skip(1)) info.ArgumentList.Add(argument);
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        _ = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{string.Join(' ', parts)} failed ({process.ExitCode}): {await stderr}");
    }
}
