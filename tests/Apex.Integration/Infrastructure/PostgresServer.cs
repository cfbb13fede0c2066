using DotNet.Testcontainers.Containers;
using Npgsql;
using Testcontainers.PostgreSql;

namespace Apex.Integration.Infrastructure;

/// <summary>
/// The PostgreSQL server of the test assembly. Each test class gets a database of its own
/// (<see cref="CreateDatabaseAsync"/>), so test classes run in parallel safely.
/// </summary>
public sealed class PostgresServer : ServerFixture
{
    private const string ServiceUser = "postgres";

    /// <summary>A connection string to the server's maintenance database, allowed to create databases.</summary>
    public string AdminConnectionString { get; private set; } = string.Empty;

    protected override string Name => "postgres";

    protected override string EnvironmentVariable => "APEX_TEST_POSTGRES";

    /// <summary>Creates an empty database named after <paramref name="owner"/> and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string owner)
    {
        // PostgreSQL names stop at 63 bytes: 3 + 24 + 1 + 32 at most.
        var name = $"it_{new string(owner.ToLowerInvariant().Where(char.IsAsciiLetterOrDigit).Take(24).ToArray())}_{Guid.NewGuid():N}";
        await using (var connection = new NpgsqlConnection(AdminConnectionString))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await create.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = name }.ConnectionString;
    }

    public override async Task<WatchedProcess> StartLocalAsync(int ownerPid)
    {
        var postgres = RequireBinary("postgres", "postgresql");
        var initdb = RequireBinary("initdb", "postgresql");
        var directory = NewTempDirectory();
        var data = Path.Combine(directory, "data");
        // PostgreSQL refuses to run as root; run it as the postgres account when we are root.
        var asRoot = Environment.UserName == "root";
        var prefix = asRoot ? new[] { "setpriv", "--reuid", ServiceUser, "--regid", ServiceUser, "--init-groups" } : [];
        if (asRoot) await RunToCompletionAsync("chown", ServiceUser, directory);
        await RunToCompletionAsync(prefix.Length > 0 ? prefix[0] : initdb,
            [.. prefix.Skip(1), .. prefix.Length > 0 ? new[] { initdb } : [], "-D", data, "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8"]);
        var port = FreePort.Next();
        var process = await WatchedProcess.StartAsync(new ServerCommand(
            [.. prefix, postgres, "-D", data, "-p", port.ToString(), "-k", directory, "-c", "listen_addresses=127.0.0.1",
             "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off", "-c", "max_connections=300"],
            directory, StopSignal: "INT"), ownerPid);
        AdminConnectionString = $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres;Pooling=false";
        await WaitUntilAsync($"postgres on port {port}", CanConnectAsync, process);
        return process;
    }

    protected override Task UseExistingAsync(string connection)
    {
        AdminConnectionString = connection;
        return Task.CompletedTask;
    }

    protected override IContainer CreateContainer() => new PostgreSqlBuilder("postgres:15").Build();

    protected override Task UseContainerAsync(IContainer container)
    {
        AdminConnectionString = ((PostgreSqlContainer)container).GetConnectionString();
        return Task.CompletedTask;
    }

    private async Task<bool> CanConnectAsync()
    {
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync();
        return true;
    }
}
