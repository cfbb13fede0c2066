using System.Diagnostics;
using Apex.Integration.Infrastructure;
using Npgsql;

namespace Apex.Integration.DatabaseCoordination.Topology;

/// <summary>
/// A directory of PostgreSQL nodes started from the local binaries (initdb, pg_basebackup,
/// postgres, pg_ctl) for tests that need a topology the assembly's single server cannot give: a
/// streaming replica, a failover, a restart. A node can stop and start again, so its data cannot
/// live in the directory of one server process (the watchdog deletes that when the server ends);
/// the cluster's root directory is instead held by a watchdog of its own around a placeholder
/// process, and is deleted when the cluster is disposed or the test host dies (ADR 0110). Every
/// path, and so every process's command line, carries apex-it-&lt;run id&gt;-.
/// </summary>
public sealed class LocalPostgresCluster : IAsyncDisposable
{
    private const string ServiceUser = "postgres";
    private readonly WatchedProcess _keeper;
    private readonly List<PostgresNode> _nodes = [];

    private LocalPostgresCluster(WatchedProcess keeper) => _keeper = keeper;

    public string Root => _keeper.Directory;

    public static async Task<LocalPostgresCluster> CreateAsync(string name)
    {
        var keeper = await ScratchDirectory.HoldAsync(name);
        await AsServiceUserAsync("chown", ServiceUser, keeper.Directory);
        return new LocalPostgresCluster(keeper);
    }

    /// <summary>initdb and start a primary; <paramref name="settings"/> are extra <c>name=value</c> server settings.</summary>
    public async Task<PostgresNode> StartPrimaryAsync(string name, params string[] settings)
    {
        var node = await NewNodeAsync(name, settings);
        await RunAsync(ServiceUser, Binary("initdb"), "-D", node.DataDirectory, "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8");
        await node.StartAsync();
        return node;
    }

    /// <summary>A streaming replica of <paramref name="primary"/>: pg_basebackup -R writes standby.signal and primary_conninfo.</summary>
    public async Task<PostgresNode> StartReplicaAsync(PostgresNode primary, string name, params string[] settings)
    {
        var node = await NewNodeAsync(name, settings);
        await RunAsync(ServiceUser, Binary("pg_basebackup"), "-h", "127.0.0.1", "-p", primary.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-U", "postgres", "-D", node.DataDirectory, "-R", "-X", "stream", "--no-sync");
        await node.StartAsync();
        return node;
    }

    private async Task<PostgresNode> NewNodeAsync(string name, string[] settings)
    {
        var directory = Path.Combine(Root, name);
        Directory.CreateDirectory(directory);
        await AsServiceUserAsync("chown", ServiceUser, directory);
        var node = new PostgresNode(this, name, directory, FreePort.Next(), settings);
        _nodes.Add(node);
        return node;
    }

    internal static string Binary(string name) =>
        new[] { "/usr/lib/postgresql/15/bin" }.Concat((Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries))
            .Select(dir => Path.Combine(dir, name)).FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException($"'{name}' is not installed; the replica and failover tests need PostgreSQL's server binaries (apt-get install postgresql).");

    /// <summary>PostgreSQL refuses to run as root: run as the postgres account when we are root.</summary>
    internal static IReadOnlyList<string> AsServiceUser(params string[] command) =>
        Environment.UserName == "root" ? ["setpriv", "--reuid", ServiceUser, "--regid", ServiceUser, "--init-groups", .. command] : command;

    internal static Task RunAsync(string user, params string[] command) => RunCommandAsync(user == ServiceUser ? AsServiceUser(command) : command);

    private static Task AsServiceUserAsync(params string[] command) =>
        Environment.UserName == "root" ? RunCommandAsync(command) : Task.CompletedTask;

    private static async Task RunCommandAsync(IReadOnlyList<string> command)
    {
        var info = new ProcessStartInfo(command[0]) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in command.Skip(1)) info.ArgumentList.Add(argument);
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        _ = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{string.Join(' ', command)} failed ({process.ExitCode}): {await stderr}");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes) await node.StopAsync();
        await _keeper.DisposeAsync();
    }
}

/// <summary>One PostgreSQL node of a <see cref="LocalPostgresCluster"/>: its data directory, its port, its current server process.</summary>
public sealed class PostgresNode(LocalPostgresCluster cluster, string name, string directory, int port, string[] settings)
{
    private WatchedProcess? _server;
    private int _incarnation;

    public string Name => name;

    public int Port => port;

    public string DataDirectory => Path.Combine(directory, "data");

    public bool IsRunning => _server is { ServerHasExited: false };

    /// <summary>A connection string to this node's postgres database; pooling off, so a stopped node is noticed at once.</summary>
    public string ConnectionString => $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres;Pooling=false;Timeout=5";

    public async Task StartAsync()
    {
        if (IsRunning) return;
        // Each start gets a fresh socket directory; the watchdog deletes it (and only it) when that server ends.
        var run = Path.Combine(directory, $"run{++_incarnation}");
        Directory.CreateDirectory(run);
        if (Environment.UserName == "root") await LocalPostgresCluster.RunAsync("root", "chown", "-R", "postgres:postgres", directory);
        string[] command =
        [
            LocalPostgresCluster.Binary("postgres"), "-D", DataDirectory, "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-k", run,
            "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "full_page_writes=off", "-c", "max_connections=60",
            .. settings.SelectMany(s => new[] { "-c", s }),
        ];
        _server = await WatchedProcess.StartAsync(new ServerCommand(LocalPostgresCluster.AsServiceUser(command), run, StopSignal: "INT"), Environment.ProcessId);
        await WaitUntilAcceptingAsync();
    }

    /// <summary>Fast shutdown (SIGINT): sessions are ended, the node stops; its data stays for the next start.</summary>
    public async Task StopAsync()
    {
        if (_server is null) return;
        await _server.DisposeAsync();
        _server = null;
    }

    /// <summary>Promotes a standby with <c>pg_ctl promote</c> and waits until it accepts writes.</summary>
    public Task PromoteAsync() => LocalPostgresCluster.RunAsync("postgres", LocalPostgresCluster.Binary("pg_ctl"), "promote", "-w", "-D", DataDirectory);

    private async Task WaitUntilAcceptingAsync()
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (_server!.ServerHasExited) throw new InvalidOperationException($"PostgreSQL node {name} (port {port}) exited during start-up. Its last output:\n{_server.RecentOutput}");
            try
            {
                await using var connection = new NpgsqlConnection(ConnectionString);
                await connection.OpenAsync();
                return;
            }
            catch (NpgsqlException) when (clock.Elapsed < TimeSpan.FromSeconds(60))
            {
                await Task.Delay(100);
            }
        }
    }

    public override string ToString() => $"{name} on port {port} ({cluster.Root})";
}
