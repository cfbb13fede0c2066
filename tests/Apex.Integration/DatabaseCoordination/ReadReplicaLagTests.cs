using Apex.Integration.DatabaseCoordination.Topology;
using Apex.Integration.Infrastructure;
using Apex.Platform.Data.Replicas;
using Npgsql;

namespace Apex.Integration.DatabaseCoordination;

/// <summary>
/// Plan item 55: against a real streaming replica. Lag is made real and deterministic by pausing
/// WAL replay on the replica (pg_wal_replay_pause) while the primary writes; the router sends
/// reads to the replica only while its lag is within the bound and the session needs none of its
/// own unreplayed writes, and falls back to the primary otherwise.
/// </summary>
[PlanItem(55)]
[BusinessValue("All tiers", "Read scaling without stale reads",
    "Consistency worth $5K MRR data accuracy", "Replicas take read load while users never miss their own just-saved changes")]
[Collection(ReplicaTopologyCollection.Name)]
public sealed class ReadReplicaLagTests(ReplicaTopology topology) : IAsyncLifetime
{
    private const long Bound = 64 * 1024;
    private NpgsqlDataSource _primary = null!;
    private NpgsqlDataSource _replica = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _primary = topology.PrimarySource();
        _replica = topology.ReplicaSource();
        await ExecAsync(_primary, "CREATE TABLE IF NOT EXISTS profiles (id text PRIMARY KEY, name text NOT NULL, bio text)");
    }

    public async ValueTask DisposeAsync()
    {
        // Never leave replay paused for the next test of the collection.
        await ExecAsync(_replica, "SELECT pg_wal_replay_resume()");
        await _primary.DisposeAsync();
        await _replica.DisposeAsync();
    }

    private ReadRouter Router(NpgsqlDataSource? replica = null) =>
        new(_primary, replica ?? _replica, new ReplicaLagMonitor(_primary, replica ?? _replica), Bound);

    [Fact]
    public async Task Route_UsesTheReplica_WhenItHasCaughtUp()
    {
        await ExecAsync(_primary, "INSERT INTO profiles VALUES ('caught-up', 'Ana', NULL)");
        await CaughtUpAsync();

        var route = await Router().RouteAsync(null, Ct);

        Assert.True(route.UsesReplica, route.Reason);
        Assert.Equal("Ana", await ScalarAsync<string>(route.Source, "SELECT name FROM profiles WHERE id = 'caught-up'"));
    }

    [Fact]
    public async Task Route_FallsBackToThePrimary_WhileReplayIsPausedAndLagExceedsTheBound_AndReturnsWhenReplayResumes()
    {
        await CaughtUpAsync();
        await ExecAsync(_replica, "SELECT pg_wal_replay_pause()");
        await Eventually.TrueAsync(async () => (await new ReplicaLagMonitor(_primary, _replica).MeasureAsync(Ct)).ReplayPaused);
        await ExecAsync(_primary, "INSERT INTO profiles SELECT 'bulk-' || i, 'n' || i, repeat('x', 1000) FROM generate_series(1, 500) i");

        var lagging = await Router().RouteAsync(null, Ct);
        var staleOnReplica = await ScalarAsync<long>(_replica, "SELECT count(*) FROM profiles WHERE id LIKE 'bulk-%'");
        await ExecAsync(_replica, "SELECT pg_wal_replay_resume()");
        await CaughtUpAsync();
        var recovered = await Router().RouteAsync(null, Ct);

        Assert.False(lagging.UsesReplica);
        Assert.Same(_primary, lagging.Source);
        Assert.True(lagging.Lag!.BytesBehind > Bound, $"lag {lagging.Lag.BytesBehind}");
        Assert.StartsWith($"replica {lagging.Lag.BytesBehind} bytes behind, over the bound of {Bound}", lagging.Reason, StringComparison.Ordinal);
        Assert.Equal(0L, staleOnReplica);
        Assert.Equal(500L, await ScalarAsync<long>(lagging.Source, "SELECT count(*) FROM profiles WHERE id LIKE 'bulk-%'"));
        Assert.True(recovered.UsesReplica, recovered.Reason);
        Assert.Equal(500L, await ScalarAsync<long>(recovered.Source, "SELECT count(*) FROM profiles WHERE id LIKE 'bulk-%'"));
    }

    [Fact]
    public async Task Route_SendsASessionToThePrimaryUntilTheReplicaHasReplayedItsOwnWrite_EvenWithinTheLagBound()
    {
        await CaughtUpAsync();
        await ExecAsync(_replica, "SELECT pg_wal_replay_pause()");
        await Eventually.TrueAsync(async () => (await new ReplicaLagMonitor(_primary, _replica).MeasureAsync(Ct)).ReplayPaused);
        await using var session = await _primary.OpenConnectionAsync(Ct);
        await ExecAsync(session, "INSERT INTO profiles VALUES ('own-write', 'Ben', NULL)");
        var written = await ReadRouter.WritePositionAsync(session, Ct);

        var forWriter = await Router().RouteAsync(written, Ct);
        var forOthers = await Router().RouteAsync(null, Ct);
        await ExecAsync(_replica, "SELECT pg_wal_replay_resume()");
        await CaughtUpAsync();
        var afterReplay = await Router().RouteAsync(written, Ct);

        Assert.False(forWriter.UsesReplica);
        Assert.StartsWith("read-your-writes", forWriter.Reason, StringComparison.Ordinal);
        Assert.Equal("Ben", await ScalarAsync<string>(forWriter.Source, "SELECT name FROM profiles WHERE id = 'own-write'"));
        Assert.True(forOthers.UsesReplica, forOthers.Reason);
        Assert.True(afterReplay.UsesReplica, afterReplay.Reason);
        Assert.Equal("Ben", await ScalarAsync<string>(afterReplay.Source, "SELECT name FROM profiles WHERE id = 'own-write'"));
    }

    [Fact]
    public async Task Route_FallsBackToThePrimary_WhenTheReplicaIsUnreachable()
    {
        await using var unreachable = NpgsqlDataSource.Create($"Host=127.0.0.1;Port={FreePort.Next()};Username=postgres;Timeout=2;Pooling=false");

        var route = await Router(unreachable).RouteAsync(null, Ct);

        Assert.False(route.UsesReplica);
        Assert.Same(_primary, route.Source);
        Assert.StartsWith("replica unavailable", route.Reason, StringComparison.Ordinal);
        Assert.Null(route.Lag);
    }

    /// <summary>Waits until the replica has replayed everything the primary had written when this was called.</summary>
    private async Task CaughtUpAsync()
    {
        var target = (ulong)(await new ReplicaLagMonitor(_primary, _replica).MeasureAsync(Ct)).PrimaryWritten;
        await Eventually.TrueAsync(async () => (ulong)(await new ReplicaLagMonitor(_primary, _replica).MeasureAsync(Ct)).Replayed >= target, seconds: 30);
    }

    private static async Task ExecAsync(NpgsqlDataSource source, string sql)
    {
        await using var command = source.CreateCommand(sql);
        await command.ExecuteNonQueryAsync(Ct);
    }

    private static async Task ExecAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(Ct);
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlDataSource source, string sql)
    {
        await using var command = source.CreateCommand(sql);
        return (T)(await command.ExecuteScalarAsync(Ct))!;
    }
}
