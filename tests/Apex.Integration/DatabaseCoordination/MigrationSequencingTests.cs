using Apex.Integration.Infrastructure;
using Apex.Platform.Data.Migrations;
using Npgsql;

namespace Apex.Integration.DatabaseCoordination;

/// <summary>
/// Plan item 54: the migration runner applies ordered, checksummed migrations under an advisory
/// lock. Each test works in a schema of its own (search_path), so one database serves the class.
/// </summary>
[PlanItem(54)]
[BusinessValue("All tiers (every deployment)", "Schema evolution without broken deployments",
    "Schema evolution worth $6K MRR deployment safety", "Rolling deployments of several instances migrate one database once, in order")]
public sealed class MigrationSequencingTests(MigrationSequencingTests.Db db) : IClassFixture<MigrationSequencingTests.Db>
{
    private static readonly Migration Accounts = new(1, "accounts",
        "CREATE TABLE accounts (id int PRIMARY KEY, name text NOT NULL); INSERT INTO migration_log VALUES (1);", "DROP TABLE accounts;");

    private static readonly Migration Email = new(2, "accounts_email",
        "ALTER TABLE accounts ADD COLUMN email text; INSERT INTO migration_log VALUES (2);", "ALTER TABLE accounts DROP COLUMN email;");

    private static readonly Migration EmailIndex = new(3, "accounts_email_index",
        "CREATE UNIQUE INDEX accounts_email ON accounts (email); INSERT INTO migration_log VALUES (3);", "DROP INDEX accounts_email;");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public sealed class Db(PostgresServer postgres) : ClassDatabase(postgres)
    {
        protected override string Owner => "item54";

        /// <summary>A data source whose connections work in a fresh schema, holding a log of migration runs.</summary>
        public async Task<NpgsqlDataSource> SchemaAsync(string name)
        {
            await ExecuteAsync($"CREATE SCHEMA {name}; CREATE TABLE {name}.migration_log (version int NOT NULL);");
            return NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(ConnectionString) { SearchPath = name }.ConnectionString);
        }
    }

    [Fact]
    public async Task Migrate_AppliesPendingInVersionOrder_AndRecordsChecksums_WhenGivenOutOfOrder()
    {
        await using var source = await db.SchemaAsync("ordered");
        var runner = new MigrationRunner(source, TimeProvider.System);

        var first = await runner.MigrateAsync([EmailIndex, Accounts, Email], Ct);
        var second = await runner.MigrateAsync([Accounts, Email, EmailIndex], Ct);

        Assert.Equal([1, 2, 3], first.Applied);
        Assert.Empty(second.Applied);
        Assert.Equal([1, 2, 3], second.AlreadyApplied);
        Assert.Equal([1, 2, 3], await ColumnAsync<int>(source, "SELECT version FROM migration_log ORDER BY ctid"));
        Assert.Equal([Accounts.Checksum, Email.Checksum, EmailIndex.Checksum], await ColumnAsync<string>(source, "SELECT checksum FROM schema_migrations ORDER BY version"));
    }

    [Fact]
    public async Task Migrate_FromTwoInstancesAtOnce_OneMigrates_TheOtherWaitsForTheLock_AndEachMigrationRunsOnce()
    {
        await using var source = await db.SchemaAsync("concurrent");
        // A third party holds the migration lock, so both runners are provably waiting on it at once.
        await using var holder = await source.OpenConnectionAsync(Ct);
        await using (var take = new NpgsqlCommand("SELECT pg_advisory_lock(x'415045584D494752'::bigint)", holder)) await take.ExecuteNonQueryAsync(Ct);
        var runs = new[] { new MigrationRunner(source, TimeProvider.System), new MigrationRunner(source, TimeProvider.System) }
            .Select(r => r.MigrateAsync([Accounts, Email, EmailIndex], Ct)).ToList();

        await Eventually.TrueAsync(async () => await ScalarAsync<long>(source,
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())") == 2);
        await using (var release = new NpgsqlCommand("SELECT pg_advisory_unlock_all()", holder)) await release.ExecuteNonQueryAsync(Ct);
        var reports = await Task.WhenAll(runs);

        Assert.Single(reports, r => r.Applied.SequenceEqual([1, 2, 3]));
        Assert.Single(reports, r => r.Applied.Count == 0 && r.AlreadyApplied.SequenceEqual([1, 2, 3]));
        Assert.Equal([1, 2, 3], await ColumnAsync<int>(source, "SELECT version FROM migration_log ORDER BY ctid"));
    }

    [Fact]
    public async Task Migrate_RollsBackTheWholeFailingMigration_AndKeepsTheEarlierOnes()
    {
        await using var source = await db.SchemaAsync("failing");
        var runner = new MigrationRunner(source, TimeProvider.System);
        var broken = new Migration(3, "half_broken", "CREATE TABLE invoices (id int); INSERT INTO migration_log VALUES (3); ALTER TABLE accounts ADD COLUMN email text;");

        var error = await Assert.ThrowsAsync<MigrationException>(() => runner.MigrateAsync([Accounts, Email, broken], Ct));

        Assert.Contains("Migration 3 (half_broken) failed and was rolled back whole", error.Message, StringComparison.Ordinal);
        Assert.Contains("\"email\" of relation \"accounts\" already exists", error.Message, StringComparison.Ordinal);
        Assert.Equal([1, 2], await ColumnAsync<int>(source, "SELECT version FROM schema_migrations ORDER BY version"));
        Assert.Equal(0L, await ScalarAsync<long>(source, "SELECT count(*) FROM pg_tables WHERE schemaname = 'failing' AND tablename = 'invoices'"));
        Assert.Equal([1, 2], await ColumnAsync<int>(source, "SELECT version FROM migration_log ORDER BY ctid"));
    }

    [Fact]
    public async Task Migrate_RefusesAnAppliedMigrationWhoseChecksumChanged_AndAppliesNothing()
    {
        await using var source = await db.SchemaAsync("edited");
        var runner = new MigrationRunner(source, TimeProvider.System);
        await runner.MigrateAsync([Accounts, Email], Ct);
        var edited = Email with { Up = "ALTER TABLE accounts ADD COLUMN email varchar(320); INSERT INTO migration_log VALUES (2);" };

        var error = await Assert.ThrowsAsync<MigrationException>(() => runner.MigrateAsync([Accounts, edited, EmailIndex], Ct));

        Assert.Contains("Migration 2 (accounts_email) was changed after it was applied", error.Message, StringComparison.Ordinal);
        Assert.Equal([1, 2], await ColumnAsync<int>(source, "SELECT version FROM schema_migrations ORDER BY version"));
    }

    [Fact]
    public async Task Migrate_RefusesAMigrationNumberedBeforeAnAppliedOne_AndADatabaseFromANewerBuild()
    {
        await using var source = await db.SchemaAsync("sequence");
        var runner = new MigrationRunner(source, TimeProvider.System);
        await runner.MigrateAsync([Accounts, EmailIndex with { Up = "CREATE TABLE later (id int);" }], Ct);

        var outOfOrder = await Assert.ThrowsAsync<MigrationException>(() => runner.MigrateAsync([Accounts, Email, EmailIndex with { Up = "CREATE TABLE later (id int);" }], Ct));
        var older = await Assert.ThrowsAsync<MigrationException>(() => runner.MigrateAsync([Accounts], Ct));

        Assert.Contains("Migration 2 (accounts_email) sorts before the applied migration 3", outOfOrder.Message, StringComparison.Ordinal);
        Assert.Contains("migration 3 applied, which this build does not know", older.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rollback_RunsDownScriptsNewestFirst_AndAllowsMigratingForwardAgain()
    {
        await using var source = await db.SchemaAsync("rollback");
        var runner = new MigrationRunner(source, TimeProvider.System);
        await runner.MigrateAsync([Accounts, Email, EmailIndex], Ct);

        var undone = await runner.RollbackAsync([Accounts, Email, EmailIndex], 1, Ct);
        var columns = await ColumnAsync<string>(source, "SELECT column_name::text FROM information_schema.columns WHERE table_schema = 'rollback' AND table_name = 'accounts' ORDER BY ordinal_position");
        var again = await runner.MigrateAsync([Accounts, Email, EmailIndex], Ct);

        Assert.Equal([3, 2], undone);
        Assert.Equal(["id", "name"], columns);
        Assert.Equal([2, 3], again.Applied);
    }

    [Fact]
    public async Task Rollback_WithoutADownScript_IsRefusedBeforeAnythingIsUndone()
    {
        await using var source = await db.SchemaAsync("nodown");
        var runner = new MigrationRunner(source, TimeProvider.System);
        var oneWay = EmailIndex with { Down = null };
        await runner.MigrateAsync([Accounts, Email, oneWay], Ct);

        var error = await Assert.ThrowsAsync<MigrationException>(() => runner.RollbackAsync([Accounts, Email, oneWay], 0, Ct));

        Assert.Contains("migration 3 has no down script", error.Message, StringComparison.Ordinal);
        Assert.Equal([1, 2, 3], await ColumnAsync<int>(source, "SELECT version FROM schema_migrations ORDER BY version"));
    }

    private static async Task<List<T>> ColumnAsync<T>(NpgsqlDataSource source, string sql)
    {
        await using var command = source.CreateCommand(sql);
        await using var reader = await command.ExecuteReaderAsync(Ct);
        var values = new List<T>();
        while (await reader.ReadAsync(Ct)) values.Add(reader.GetFieldValue<T>(0));
        return values;
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlDataSource source, string sql)
    {
        await using var command = source.CreateCommand(sql);
        return (T)(await command.ExecuteScalarAsync(Ct))!;
    }
}
