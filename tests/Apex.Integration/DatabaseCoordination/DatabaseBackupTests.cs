using Apex.Integration.DatabaseCoordination.Topology;
using Apex.Integration.Infrastructure;
using Apex.Platform.Data.Backup;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Apex.Integration.DatabaseCoordination;

/// <summary>
/// Plan item 62: pg_dump on a schedule of the platform clock, each archive validated (size,
/// SHA-256, header, table of contents), restored into a fresh database and compared table by
/// table with the manifest; a truncated or corrupted archive is reported bad, never good.
/// </summary>
[PlanItem(62)]
[BusinessValue("All tiers (Enterprise data-protection terms)", "Backups that are proven restorable",
    "Disaster recovery worth $8K MRR data protection", "A backup counts only once a restore of it has matched the source")]
public sealed class DatabaseBackupTests(DatabaseBackupTests.Db db) : IClassFixture<DatabaseBackupTests.Db>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public sealed class Db(PostgresServer postgres) : ClassDatabase(postgres)
    {
        private WatchedProcess _folder = null!;

        public string Folder => _folder.Directory;

        protected override string Owner => "item62";

        public override async ValueTask InitializeAsync()
        {
            await base.InitializeAsync();
            _folder = await ScratchDirectory.HoldAsync("pgbackup");
            await ExecuteAsync("""
                CREATE TABLE activity (id bigserial PRIMARY KEY, at timestamptz NOT NULL DEFAULT now());
                CREATE TABLE customers (id int PRIMARY KEY, email text NOT NULL, plan text);
                CREATE TABLE invoices (id bigserial PRIMARY KEY, customer int REFERENCES customers, cents bigint, issued date, lines jsonb);
                INSERT INTO customers SELECT i, 'c' || i || '@backup.test', CASE WHEN i % 3 = 0 THEN NULL ELSE 'pro' END FROM generate_series(1, 300) i;
                INSERT INTO invoices (customer, cents, issued, lines)
                    SELECT 1 + i % 300, i * 7, date '2026-01-01' + i % 90, jsonb_build_object('n', i, 'note', 'ünïcode ✓') FROM generate_series(1, 3000) i;
                """);
        }

        public DatabaseBackup Backup(TimeProvider time) => new(ConnectionString,
            new BackupOptions(Folder, LocalPostgresCluster.Binary("pg_dump"), LocalPostgresCluster.Binary("pg_restore")), time);

        public override async ValueTask DisposeAsync()
        {
            await _folder.DisposeAsync();
            await base.DisposeAsync();
        }
    }

    [Fact]
    public async Task Schedule_TakesAValidatedBackupEachInterval_AndTheRestoreMatchesEveryTable()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 2, 0, 0, TimeSpan.Zero));
        var backup = db.Backup(clock);
        await using var scheduler = new BackupScheduler(backup, clock);
        scheduler.Start(TimeSpan.FromHours(24));

        clock.Advance(TimeSpan.FromHours(23));
        var beforeDue = scheduler.History.Count;
        clock.Advance(TimeSpan.FromHours(1));
        await Eventually.TrueAsync(() => Task.FromResult(scheduler.History.Count == 1), seconds: 60);
        var taken = Assert.Single(scheduler.History);
        var restore = await backup.RestoreAndVerifyAsync(backup.PathOf(taken.Manifest!), Ct);

        Assert.Equal(0, beforeDue);
        Assert.True(taken.Good, taken.Problems);
        Assert.Equal([("customers", 300L), ("invoices", 3000L)], taken.Manifest!.Tables.Where(t => t.Table != "activity").Select(t => (t.Table, t.Rows)));
        Assert.True(restore.Matches, string.Join("; ", restore.Differences));
        Assert.Equal(taken.Manifest.Tables, restore.Restored);
    }

    [Fact]
    public async Task Validate_ReportsATruncatedArchive_AndTheRestoreCheckRefusesIt()
    {
        var backup = db.Backup(TimeProvider.System);
        var archive = backup.PathOf(await backup.BackupAsync(Ct));
        var length = new FileInfo(archive).Length;
        await using (var file = File.OpenWrite(archive)) file.SetLength(length / 2);

        var validation = await backup.ValidateAsync(archive, Ct);
        var restore = await backup.RestoreAndVerifyAsync(archive, Ct);

        Assert.False(validation.Valid);
        Assert.Contains($"size {length / 2} bytes, the manifest says {length} (truncated or overwritten)", validation.Problems);
        Assert.Contains("SHA-256 differs from the manifest (corrupted)", validation.Problems);
        Assert.False(restore.Matches);
        Assert.Empty(restore.Restored);
    }

    [Fact]
    public async Task Validate_ReportsABitFlipThatKeepsTheSize_AndAnArchiveThatIsNotADump()
    {
        var backup = db.Backup(TimeProvider.System);
        var flipped = backup.PathOf(await backup.BackupAsync(Ct));
        var bytes = await File.ReadAllBytesAsync(flipped, Ct);
        bytes[bytes.Length / 2] ^= 0x40;
        await File.WriteAllBytesAsync(flipped, bytes, Ct);
        var garbage = Path.Combine(db.Folder, "garbage.dump");
        await File.WriteAllTextAsync(garbage, "this is not a backup", Ct);

        var flippedResult = await backup.ValidateAsync(flipped, Ct);
        var garbageResult = await backup.ValidateAsync(garbage, Ct);

        Assert.Equal(["SHA-256 differs from the manifest (corrupted)"], flippedResult.Problems);
        Assert.False(garbageResult.Valid);
        Assert.Contains(garbageResult.Problems, p => p.StartsWith("no readable manifest", StringComparison.Ordinal));
        Assert.Contains("not a pg_dump custom-format archive (no PGDMP header)", garbageResult.Problems);
        Assert.Contains(garbageResult.Problems, p => p.StartsWith("pg_restore cannot read its table of contents", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Backup_DescribesExactlyItsSnapshot_WhileWritesContinue()
    {
        var backup = db.Backup(TimeProvider.System);
        using var stop = new CancellationTokenSource();
        long inserted = 0;
        var writer = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await db.ExecuteAsync("INSERT INTO activity DEFAULT VALUES");
                Interlocked.Increment(ref inserted);
            }
        }, Ct);

        var manifest = await backup.BackupAsync(Ct);
        var atBackupEnd = Interlocked.Read(ref inserted);
        await Eventually.TrueAsync(() => Task.FromResult(Interlocked.Read(ref inserted) > atBackupEnd + 1));
        await stop.CancelAsync();
        await writer;
        var restore = await backup.RestoreAndVerifyAsync(backup.PathOf(manifest), Ct);

        Assert.True(restore.Matches, string.Join("; ", restore.Differences));
        Assert.True(await db.ScalarAsync<long>("SELECT count(*) FROM activity") > manifest.Tables.Single(t => t.Table == "activity").Rows);
    }
}
