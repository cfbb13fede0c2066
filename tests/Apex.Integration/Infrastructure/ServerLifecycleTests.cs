using System.Diagnostics;
using Npgsql;

namespace Apex.Integration.Infrastructure;

/// <summary>
/// Proves what the fixtures promise: each server answers, each test gets isolated data, and a local
/// server never outlives the process that owns it — not even when that process is killed outright,
/// as a crashed or aborted test host is.
/// </summary>
public sealed class ServerLifecycleTests(RedisServer redis, PostgresServer postgres, ClickHouseServer clickHouse)
{
    public static TheoryData<string> Kinds => ["redis", "postgres", "clickhouse"];

    [Fact]
    public async Task SharedServers_Answer_WhenTheAssemblyStarts()
    {
        await using var connection = await redis.ConnectAsync();
        var key = RedisServer.NewKeyPrefix("lifecycle") + "k";
        await connection.GetDatabase().StringSetAsync(key, "v");
        Assert.Equal("v", (string?)await connection.GetDatabase().StringGetAsync(key));

        await using var pg = new NpgsqlConnection(await postgres.CreateDatabaseAsync(nameof(SharedServers_Answer_WhenTheAssemblyStarts)));
        await pg.OpenAsync(TestContext.Current.CancellationToken);
        Assert.StartsWith("15", pg.ServerVersion, StringComparison.Ordinal);

        var database = await clickHouse.CreateDatabaseAsync("lifecycle");
        Assert.Equal("1\n", await clickHouse.ExecuteAsync($"SELECT count() FROM system.databases WHERE name = '{database}'"));
    }

    [Fact]
    public async Task Databases_AreIsolated_WhenTwoTestsCreateTheSameTable()
    {
        var first = await postgres.CreateDatabaseAsync("isolation");
        var second = await postgres.CreateDatabaseAsync("isolation");
        await ExecuteAsync(first, "CREATE TABLE t(x int); INSERT INTO t VALUES (1)");
        await ExecuteAsync(second, "CREATE TABLE t(x int)");

        Assert.NotEqual(first, second);
        Assert.Equal(0L, await ScalarAsync(second, "SELECT count(*) FROM t"));
        Assert.Equal(1L, await ScalarAsync(first, "SELECT count(*) FROM t"));
    }

    [Fact]
    public void KeyPrefixes_AreUnique_ForTheSameOwner()
    {
        Assert.NotEqual(RedisServer.NewKeyPrefix("owner"), RedisServer.NewKeyPrefix("owner"));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task LocalServer_StopsAndCleansUp_WhenItsOwnerIsKilled(string kind)
    {
        await using var owner = new OwnerProcess();
        var fixture = NewFixture(kind);
        var server = await fixture.StartLocalAsync(owner.Id);
        Assert.True(Directory.Exists(server.Directory));
        Assert.False(server.ServerHasExited);

        owner.Kill(); // SIGKILL: the owner gets no chance to clean up, like a crashed test host.

        await WaitForAsync(() => server.ServerHasExited && server.HasExited && !Directory.Exists(server.Directory));
        Assert.True(server.ServerHasExited, $"{kind} (pid {server.ServerId}) outlived its owner");
        Assert.True(server.HasExited);
        Assert.False(Directory.Exists(server.Directory));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task LocalServer_StopsAndCleansUp_WhenDisposed(string kind)
    {
        var server = await NewFixture(kind).StartLocalAsync(Environment.ProcessId);
        Assert.False(server.ServerHasExited);

        await server.DisposeAsync();

        Assert.True(server.ServerHasExited);
        Assert.True(server.HasExited);
        Assert.False(Directory.Exists(server.Directory));
    }

    private static ServerFixture NewFixture(string kind) => kind switch
    {
        "redis" => new RedisServer(),
        "postgres" => new PostgresServer(),
        _ => new ClickHouseServer(),
    };

    private static async Task WaitForAsync(Func<bool> condition)
    {
        var clock = Stopwatch.StartNew();
        while (!condition() && clock.Elapsed < TimeSpan.FromSeconds(20)) await Task.Delay(100);
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<long> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>A stand-in test host: a process that owns a server and can be killed outright.</summary>
    private sealed class OwnerProcess : IAsyncDisposable
    {
        // Lives until killed, or until the test host itself is gone: a stand-in owner must not
        // outlive a crashed test host either, or the servers it owns would stay up with it.
        private readonly Process _process = Process.Start("bash", ["-c", "while [ -d /proc/$PPID ]; do sleep 0.2; done"]);

        public int Id => _process.Id;

        public void Kill() => _process.Kill();

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited) _process.Kill();
            await _process.WaitForExitAsync();
            _process.Dispose();
        }
    }
}
