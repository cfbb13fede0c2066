using Apex.Integration.Infrastructure;
using Apex.Platform.Data.Views;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Apex.Integration.DatabaseCoordination;

/// <summary>
/// Plan item 61: a revenue-per-tenant materialized view is refreshed CONCURRENTLY on a schedule of
/// the platform clock; readers keep reading while a refresh holds its lock (a plain refresh would
/// block them); every refresh is validated against the base tables in the same snapshot.
/// </summary>
[PlanItem(61)]
[BusinessValue("All tiers (dashboards and reports)", "Fast reports that stay correct",
    "Performance worth $4K MRR query speed", "Dashboards read precomputed aggregates without ever blocking or drifting from the source")]
public sealed class MaterializedViewRefreshTests(MaterializedViewRefreshTests.Db db) : IClassFixture<MaterializedViewRefreshTests.Db>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public sealed class Db(PostgresServer postgres) : ClassDatabase(postgres)
    {
        protected override string Owner => "item61";

        /// <summary>A schema with invoices and the view over them, so each test starts from its own data.</summary>
        public async Task<NpgsqlDataSource> SchemaAsync(string name)
        {
            await ExecuteAsync($"""
                CREATE SCHEMA {name};
                CREATE TABLE {name}.invoices (id serial PRIMARY KEY, tenant text NOT NULL, cents bigint NOT NULL);
                INSERT INTO {name}.invoices (tenant, cents) SELECT 't' || (i % 20), i FROM generate_series(1, 2000) i;
                CREATE MATERIALIZED VIEW {name}.revenue AS SELECT tenant, sum(cents) AS cents, count(*) AS invoices FROM {name}.invoices GROUP BY tenant;
                CREATE UNIQUE INDEX ON {name}.revenue (tenant);
                """);
            return NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(ConnectionString) { SearchPath = name }.ConnectionString);
        }
    }

    [Fact]
    public async Task Schedule_RefreshesOnThePlatformClock_AndEachRefreshMatchesTheBaseTables()
    {
        await using var source = await db.SchemaAsync("scheduled");
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var refresher = new MaterializedViewRefresher(source, clock);
        var errors = new List<string>();
        refresher.Schedule(["revenue"], TimeSpan.FromMinutes(15), (view, e) => errors.Add($"{view}: {e.Message}"));
        await ExecAsync(source, "INSERT INTO invoices (tenant, cents) VALUES ('t-new', 5000)");

        var staleBefore = await refresher.ValidateAsync("revenue", Ct);
        clock.Advance(TimeSpan.FromMinutes(14));
        var refreshesEarly = refresher.History.Count;
        clock.Advance(TimeSpan.FromMinutes(1));
        await Eventually.TrueAsync(() => Task.FromResult(refresher.History.Count == 1));

        Assert.Equal((1L, 0), (staleBefore.Differences, refreshesEarly));
        var refresh = Assert.Single(refresher.History);
        Assert.True(refresh.Valid);
        Assert.Equal(21, refresh.Rows);
        Assert.Equal(5000L, await LongAsync(source, "SELECT cents FROM revenue WHERE tenant = 't-new'"));
        Assert.Empty(errors);
    }

    [Fact]
    public async Task ConcurrentRefresh_InProgress_DoesNotBlockReaders_WhileAPlainRefreshWould()
    {
        await using var source = await db.SchemaAsync("readers");
        await ExecAsync(source, "UPDATE invoices SET cents = cents + 1 WHERE tenant = 't1'");
        await using var refresher = await source.OpenConnectionAsync(Ct);
        await using var refreshing = await refresher.BeginTransactionAsync(Ct);
        await ExecAsync(refresher, "REFRESH MATERIALIZED VIEW CONCURRENTLY revenue");

        // The concurrent refresh holds its lock until commit; a reader with a short lock_timeout still gets the old rows.
        var duringConcurrent = await ReadWithLockTimeoutAsync(source, "SELECT cents FROM revenue WHERE tenant = 't1'");
        await refreshing.CommitAsync(Ct);
        var afterConcurrent = await LongAsync(source, "SELECT cents FROM revenue WHERE tenant = 't1'");
        await using var plain = await refresher.BeginTransactionAsync(Ct);
        await ExecAsync(refresher, "REFRESH MATERIALIZED VIEW revenue");
        var duringPlain = await Assert.ThrowsAsync<PostgresException>(() => ReadWithLockTimeoutAsync(source, "SELECT cents FROM revenue WHERE tenant = 't1'"));
        await plain.RollbackAsync(Ct);

        Assert.Equal(99_100L, duringConcurrent);
        Assert.Equal(99_200L, afterConcurrent);
        Assert.Equal(PostgresErrorCodes.LockNotAvailable, duringPlain.SqlState);
    }

    [Fact]
    public async Task Refresh_AppliesOnlyTheChangedGroups_AndReportsAValidView()
    {
        await using var source = await db.SchemaAsync("incremental");
        var refresher = new MaterializedViewRefresher(source, TimeProvider.System);
        var before = await ColumnAsync(source, "SELECT tenant || '@' || ctid::text FROM revenue ORDER BY tenant");
        await ExecAsync(source, "DELETE FROM invoices WHERE tenant = 't3'; UPDATE invoices SET cents = 0 WHERE tenant = 't4'");

        var result = await refresher.RefreshAsync("revenue", Ct);
        var after = await ColumnAsync(source, "SELECT tenant || '@' || ctid::text FROM revenue ORDER BY tenant");

        Assert.True(result.Valid);
        Assert.Equal(19, result.Rows);
        // CONCURRENTLY rewrites only differing rows: the 18 untouched groups keep their physical rows.
        Assert.Equal(18, before.Intersect(after).Count());
        Assert.DoesNotContain(after, r => r.StartsWith("t3@", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Refresh_OfAViewThatDoesNotExist_IsAClearError()
    {
        await using var source = await db.SchemaAsync("missing");
        var refresher = new MaterializedViewRefresher(source, TimeProvider.System);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => refresher.RefreshAsync("revenue_by_day", Ct));

        Assert.Equal("There is no materialized view 'revenue_by_day' in the current schema.", error.Message);
        Assert.Empty(refresher.History);
    }

    private static async Task<long> ReadWithLockTimeoutAsync(NpgsqlDataSource source, string sql)
    {
        await using var connection = await source.OpenConnectionAsync(Ct);
        await ExecAsync(connection, "SET lock_timeout = 300");
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(Ct), System.Globalization.CultureInfo.InvariantCulture);
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

    private static async Task<long> LongAsync(NpgsqlDataSource source, string sql)
    {
        await using var command = source.CreateCommand(sql);
        return Convert.ToInt64(await command.ExecuteScalarAsync(Ct), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task<List<string>> ColumnAsync(NpgsqlDataSource source, string sql)
    {
        await using var command = source.CreateCommand(sql);
        await using var reader = await command.ExecuteReaderAsync(Ct);
        var values = new List<string>();
        while (await reader.ReadAsync(Ct)) values.Add(reader.GetString(0));
        return values;
    }
}
