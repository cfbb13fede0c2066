using Apex.Integration.Infrastructure;
using Apex.Platform.Realtime.Hub;
using Npgsql;

namespace Apex.Integration.WebSocketRealtime;

/// <summary>
/// Plan item 16: every inbound hub message runs in its own DI scope with its own pooled PostgreSQL
/// connection and transaction. A handler that fails after writing rolls its writes back and the
/// socket stays open with an error frame; a socket dropped while its message's transaction waits
/// leaves nothing written; 200 messages later the pool holds no more connections than before and
/// none is left idle in a transaction (counted in pg_stat_activity).
/// </summary>
[PlanItem(16)]
[BusinessValue("All tiers", "Socket-driven writes are atomic per message",
    "Proper async context prevents $10K MRR data corruption", "Real-time features can write to the database safely")]
public sealed class DatabaseSessionCoordinationTests(DatabaseSessionCoordinationTests.Host host) : IClassFixture<DatabaseSessionCoordinationTests.Host>
{
    public sealed class Host(PostgresServer postgres, RedisServer redis) : RealtimeHost(postgres, redis)
    {
        protected override string Owner => "item16";

        protected override Task<Dictionary<string, string?>> SettingsAsync() => Task.FromResult(new Dictionary<string, string?>
        {
            ["Platform:Realtime:MessageBurst"] = "1000",
        });
    }

    [Fact]
    public async Task TwoHundredMessages_EachCommitItsOwnTransaction_AndLeaveNoConnectionBehind()
    {
        var user = RealtimeHost.NewUser();
        await using var client = await HubClient.ConnectAsync(HubClient.Endpoint(host.A), host.TokenFor(user));
        var before = await BackendsAsync();

        for (var i = 0; i < 200; i++) await client.SendAsync("notes.save", new { title = $"note {i}", body = "b", tags = new[] { "t" } }, id: $"n{i}");
        var saved = new List<HubFrame>();
        for (var i = 0; i < 200; i++) saved.Add(await client.NextAsync("notes.saved"));
        var after = await BackendsAsync();

        Assert.Equal(200, await CountAsync("SELECT count(*) FROM realtime_notes WHERE user_id = $1", user.Id));
        Assert.Equal(200, saved.Select(s => s.Data!.Value.GetProperty("txid").GetInt64()).Distinct().Count());
        Assert.InRange(after.Total, 0, before.Total + 1);
        Assert.Equal(0, after.IdleInTransaction);
    }

    [Fact]
    public async Task FailingHandler_RollsBackWhatItWrote_AndTheSocketStaysOpenWithAnErrorFrame()
    {
        var user = RealtimeHost.NewUser();
        await using var client = await HubClient.ConnectAsync(HubClient.Endpoint(host.A), host.TokenFor(user));

        await client.SendAsync("notes.save", new { title = "half written", body = "b", tags = new[] { "ok", new string('x', 40) } }, id: "bad");
        var error = await client.NextAsync(HubFrameTypes.Error);
        await client.SendAsync("notes.save", new { title = "whole", body = "b", tags = new[] { "ok" } }, id: "good");
        var saved = await client.NextAsync("notes.saved");

        Assert.Equal(("bad", "handler-failed"), (error.Id, error.Data!.Value.GetProperty("code").GetString()));
        Assert.Equal("good", saved.Id);
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM realtime_notes WHERE user_id = $1 AND title = 'half written'", user.Id));
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM realtime_notes WHERE user_id = $1 AND title = 'whole'", user.Id));
    }

    [Fact]
    public async Task SocketDroppedWhileItsTransactionWaits_LeavesNothingWritten_AndNoTransactionOpen()
    {
        var user = RealtimeHost.NewUser();
        var client = await HubClient.ConnectAsync(HubClient.Endpoint(host.A), host.TokenFor(user));
        await using var blocker = new NpgsqlConnection(host.Database);
        await blocker.OpenAsync(HubClient.Cancel);
        await using var hold = await blocker.BeginTransactionAsync(HubClient.Cancel);
        // Inserting tags now waits for this lock: the message's note row is written, its tag is not yet.
        await new NpgsqlCommand("LOCK TABLE realtime_note_tags IN EXCLUSIVE MODE", blocker, hold).ExecuteNonQueryAsync(HubClient.Cancel);

        await client.SendAsync("notes.save", new { title = "interrupted", body = "b", tags = new[] { "t" } }, id: "n1");
        await Eventually.TrueAsync(async () => await CountAsync("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'") == 1);
        client.Abort();
        await client.DisposeAsync();
        await Eventually.TrueAsync(async () => await CountAsync("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'") == 0);
        await hold.RollbackAsync(HubClient.Cancel);

        Assert.Equal(0, await CountAsync("SELECT count(*) FROM realtime_notes WHERE user_id = $1", user.Id));
        await Eventually.TrueAsync(async () => (await BackendsAsync()).IdleInTransaction == 0);
    }

    private async Task<(long Total, long IdleInTransaction)> BackendsAsync()
    {
        var total = await CountAsync("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()");
        var idle = await CountAsync("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%' AND pid <> pg_backend_pid()");
        return (total, idle);
    }

    private async Task<long> CountAsync(string sql, Guid? userId = null)
    {
        await using var connection = new NpgsqlConnection(host.Database);
        await connection.OpenAsync(HubClient.Cancel);
        await using var command = new NpgsqlCommand(sql, connection);
        if (userId is { } id) command.Parameters.Add(new NpgsqlParameter { Value = id });
        return (long)(await command.ExecuteScalarAsync(HubClient.Cancel))!;
    }
}
