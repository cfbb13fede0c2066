using Apex.Integration.Infrastructure;
using Apex.Platform.Data.Coherency;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Apex.Integration.DatabaseCoordination;

/// <summary>
/// Plan item 60: two platform instances each cache rows of one table; a trigger-fed LISTEN/NOTIFY
/// channel evicts a changed row on both, so neither reads a stale value after the notification;
/// a listener whose session is killed misses notifications and so refreshes its cache whole when
/// it reconnects.
/// </summary>
[PlanItem(60)]
[BusinessValue("All tiers", "Caches that never serve data the database has changed",
    "Consistency worth $7K MRR accuracy", "Horizontal scaling with per-instance caches and no stale plan or price")]
public sealed class CacheCoherencyTests(CacheCoherencyTests.Db db) : IClassFixture<CacheCoherencyTests.Db>, IAsyncLifetime
{
    private const string Channel = "row_changes";
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private readonly List<ChangeNotificationListener> _listeners = [];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public sealed class Db(PostgresServer postgres) : ClassDatabase(postgres)
    {
        protected override string Owner => "item60";

        public override async ValueTask InitializeAsync()
        {
            await base.InitializeAsync();
            await ExecuteAsync("CREATE TABLE plans (id text PRIMARY KEY, price_cents int NOT NULL);" + ChangeTriggers.For("plans", "id", Channel));
        }
    }

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        foreach (var listener in _listeners) await listener.DisposeAsync();
    }

    [Fact]
    public async Task RowUpdate_EvictsTheRowOnEveryInstance_AndNoInstanceReadsTheOldValueAfterwards()
    {
        await db.ExecuteAsync("INSERT INTO plans VALUES ('pro', 2900), ('team', 9900)");
        var (a, listenerA) = await InstanceAsync();
        var (b, listenerB) = await InstanceAsync();
        Assert.Equal((2900, 2900), (await a.GetAsync("pro", Ct), await b.GetAsync("pro", Ct)));
        Assert.Equal((9900, 9900), (await a.GetAsync("team", Ct), await b.GetAsync("team", Ct)));

        await db.ExecuteAsync("UPDATE plans SET price_cents = 3900 WHERE id = 'pro'");
        await Eventually.TrueAsync(() => Task.FromResult(a.Evictions == 1 && b.Evictions == 1));

        Assert.Equal((3900, 3900), (await a.GetAsync("pro", Ct), await b.GetAsync("pro", Ct)));
        Assert.Equal((9900, 9900), (await a.GetAsync("team", Ct), await b.GetAsync("team", Ct)));
        // Four loads before the change (two rows, two instances), one per instance after: the rest came from the caches.
        Assert.Equal((3L, 3L), (a.Loads, b.Loads));
        Assert.Equal((1L, 1L), (listenerA.Notifications, listenerB.Notifications));
    }

    [Fact]
    public async Task RowDelete_EvictsTheRow_SoTheCacheAnswersNotFound()
    {
        await db.ExecuteAsync("INSERT INTO plans VALUES ('legacy', 500)");
        var (a, _) = await InstanceAsync();
        Assert.Equal(500, await a.GetAsync("legacy", Ct));

        await db.ExecuteAsync("DELETE FROM plans WHERE id = 'legacy'");
        await Eventually.TrueAsync(() => Task.FromResult(a.Evictions == 1));

        Assert.Null(await a.GetAsync("legacy", Ct));
    }

    [Fact]
    public async Task ListenerReconnect_AfterItsSessionWasKilled_RefreshesTheWholeCache_SoTheMissedChangeIsNotServedStale()
    {
        await db.ExecuteAsync("INSERT INTO plans VALUES ('starter', 900), ('scale', 19900)");
        var (a, listener) = await InstanceAsync();
        Assert.Equal((900, 19900), (await a.GetAsync("starter", Ct), await a.GetAsync("scale", Ct)));
        var killedPid = listener.BackendPid;

        await db.ExecuteAsync($"SELECT pg_terminate_backend({killedPid})");
        await Eventually.TrueAsync(() => Task.FromResult(listener.State == ListenerState.Reconnecting));
        // Changed while nobody listens: this notification is lost for good.
        await db.ExecuteAsync("UPDATE plans SET price_cents = 1200 WHERE id = 'starter'");
        var staleWhileDisconnected = await a.GetAsync("starter", Ct);
        _clock.Advance(TimeSpan.FromSeconds(5));
        await Eventually.TrueAsync(() => Task.FromResult(listener.State == ListenerState.Listening && a.FullRefreshes == 1));

        Assert.Equal(900, staleWhileDisconnected);
        Assert.NotEqual(killedPid, listener.BackendPid);
        Assert.Equal((0L, 1), (a.Evictions, listener.Reconnects));
        Assert.Equal((1200, 19900), (await a.GetAsync("starter", Ct), await a.GetAsync("scale", Ct)));
        await db.ExecuteAsync("UPDATE plans SET price_cents = 1300 WHERE id = 'starter'");
        await Eventually.TrueAsync(() => Task.FromResult(a.Evictions == 1));
        Assert.Equal(1300, await a.GetAsync("starter", Ct));
    }

    /// <summary>One platform instance's view: its own listener session and its own cache.</summary>
    private async Task<(CoherentCache<int?> Cache, ChangeNotificationListener Listener)> InstanceAsync()
    {
        var listener = new ChangeNotificationListener(db.ConnectionString, Channel, _clock, TimeSpan.FromSeconds(5));
        _listeners.Add(listener);
        var cache = new CoherentCache<int?>("plans", LoadAsync).Follow(listener);
        await listener.StartAsync(Ct);
        return (cache, listener);
    }

    private async Task<int?> LoadAsync(string id, CancellationToken ct)
    {
        await using var command = db.DataSource.CreateCommand("SELECT price_cents FROM plans WHERE id = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        return (int?)await command.ExecuteScalarAsync(ct);
    }
}
