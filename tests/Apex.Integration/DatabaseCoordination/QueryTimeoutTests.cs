using Apex.Integration.Infrastructure;
using Apex.Platform.Data.Timeouts;
using Npgsql;

namespace Apex.Integration.DatabaseCoordination;

/// <summary>
/// Plan item 59: a slow query is stopped by statement_timeout or the command timeout, a runaway
/// query is found and cancelled with pg_cancel_backend, and in each case the caller gets a clear
/// error while the one pooled connection goes back usable (the pool holds a single connection,
/// so the next query runs on the very same backend).
/// </summary>
[PlanItem(59)]
[BusinessValue("All tiers", "Slow queries never take the platform down",
    "Stability worth $5K MRR reliability", "One tenant's runaway report cannot exhaust connections for everyone")]
public sealed class QueryTimeoutTests(QueryTimeoutTests.Db db) : IClassFixture<QueryTimeoutTests.Db>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public sealed class Db(PostgresServer postgres) : ClassDatabase(postgres)
    {
        protected override string Owner => "item59";

        /// <summary>A pool of exactly one connection, named so the killer can tell it apart.</summary>
        public NpgsqlDataSource SinglePool(string application, int commandTimeoutSeconds = 30, bool noResetOnClose = false) => NpgsqlDataSource.Create(
            new NpgsqlConnectionStringBuilder(ConnectionString)
            {
                MaxPoolSize = 1, ApplicationName = application, CommandTimeout = commandTimeoutSeconds, NoResetOnClose = noResetOnClose,
            }.ConnectionString);
    }

    [Fact]
    public async Task RunAsync_StopsAQueryPastItsStatementTimeout_WithAClearError_AndTheConnectionIsReused()
    {
        await using var pool = db.SinglePool("timeout-statement");
        var guard = new QueryGuard(pool);
        var before = await guard.RunAsync("Backend pid", TimeSpan.FromSeconds(5), PidAsync, Ct);

        var error = await Assert.ThrowsAsync<QueryAbortedException>(() => guard.RunAsync("Monthly revenue report", TimeSpan.FromMilliseconds(300),
            (c, ct) => ScalarAsync<object>(c, "SELECT pg_sleep(30)", ct), Ct));
        var after = await guard.RunAsync("Backend pid", TimeSpan.FromSeconds(5), PidAsync, Ct);

        Assert.Equal(QueryAbortReason.Timeout, error.Reason);
        Assert.Equal("Monthly revenue report ran longer than its limit of 300 ms and was stopped by the database. Narrow the query or try again later.", error.Message);
        Assert.Equal(before, after);
        await using var connection = await pool.OpenConnectionAsync(Ct);
        Assert.Equal("0", await ScalarAsync<string>(connection, "SHOW statement_timeout", Ct));
    }

    /// <summary>
    /// With No Reset On Close, Npgsql does not DISCARD ALL when a connection goes back to the pool (a common
    /// setting for speed), so only the guard's own reset keeps the next user of the connection from
    /// inheriting a query's limit. Found by a mutation run of this item: nothing else fails without it.
    /// </summary>
    [Fact]
    public async Task RunAsync_LeavesNoLimitOnThePooledConnection_WhenThePoolSkipsItsResetOnClose()
    {
        await using var pool = db.SinglePool("timeout-no-reset", noResetOnClose: true);
        var guard = new QueryGuard(pool);
        var pid = await guard.RunAsync("Backend pid", TimeSpan.FromMilliseconds(400), PidAsync, Ct);
        await Assert.ThrowsAsync<QueryAbortedException>(() => guard.RunAsync("Report", TimeSpan.FromMilliseconds(300),
            (c, ct) => ScalarAsync<object>(c, "SELECT pg_sleep(30)", ct), Ct));

        await using var connection = await pool.OpenConnectionAsync(Ct);
        Assert.Equal(pid, await PidAsync(connection, Ct));
        Assert.Equal("0", await ScalarAsync<string>(connection, "SHOW statement_timeout", Ct));
    }

    [Fact]
    public async Task RunAsync_CancelsAQueryPastTheClientCommandTimeout_AndTheConnectionIsReused()
    {
        await using var pool = db.SinglePool("timeout-command", commandTimeoutSeconds: 1);
        var guard = new QueryGuard(pool);
        var before = await guard.RunAsync("Backend pid", TimeSpan.FromSeconds(30), PidAsync, Ct);

        var error = await Assert.ThrowsAsync<QueryAbortedException>(() => guard.RunAsync("Export", TimeSpan.FromSeconds(30),
            (c, ct) => ScalarAsync<object>(c, "SELECT pg_sleep(30)", ct), Ct));
        var after = await guard.RunAsync("Backend pid", TimeSpan.FromSeconds(30), PidAsync, Ct);

        Assert.Equal(QueryAbortReason.Timeout, error.Reason);
        Assert.StartsWith("Export got no answer within the command timeout", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, after);
    }

    [Fact]
    public async Task CancelRunaway_CancelsOnlyTheLongQuery_ItsCallerGetsAClearError_AndItsConnectionServesTheNextQuery()
    {
        await using var pool = db.SinglePool("runaway-report");
        await using var exemptPool = db.SinglePool("nightly-backup");
        var guard = new QueryGuard(pool);
        var pid = await guard.RunAsync("Backend pid", TimeSpan.FromSeconds(5), PidAsync, Ct);
        var runaway = guard.RunAsync("Ad-hoc export", TimeSpan.FromMinutes(5), (c, ct) => ScalarAsync<object>(c, "SELECT pg_sleep(60)", ct), Ct);
        var exempt = new QueryGuard(exemptPool).RunAsync("Backup", TimeSpan.FromMinutes(5), (c, ct) => ScalarAsync<object>(c, "SELECT pg_sleep(1.5)", ct), Ct);
        var killer = new RunawayQueryKiller(db.DataSource);

        IReadOnlyList<CancelledQuery> cancelled = [];
        await Eventually.TrueAsync(async () => (cancelled = await killer.CancelRunawayAsync(TimeSpan.FromMilliseconds(200), ["nightly-backup"], Ct)).Count > 0);
        var error = await Assert.ThrowsAsync<QueryAbortedException>(() => runaway);
        await exempt;

        var query = Assert.Single(cancelled);
        Assert.Equal((pid, "runaway-report", "SELECT pg_sleep(60)", true), (query.Pid, query.ApplicationName, query.Query, query.Signalled));
        Assert.True(query.Running >= TimeSpan.FromMilliseconds(200));
        Assert.Equal(QueryAbortReason.Cancelled, error.Reason);
        Assert.Equal("Ad-hoc export was cancelled by the database operator or the runaway-query monitor.", error.Message);
        Assert.Equal(pid, await guard.RunAsync("Backend pid", TimeSpan.FromSeconds(5), PidAsync, Ct));
    }

    private static Task<int> PidAsync(NpgsqlConnection connection, CancellationToken ct) => ScalarAsync<int>(connection, "SELECT pg_backend_pid()", ct);

    private static async Task<T> ScalarAsync<T>(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync(ct))!;
    }
}
