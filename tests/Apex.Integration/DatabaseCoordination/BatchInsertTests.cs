using System.Diagnostics.Metrics;
using Apex.Integration.Infrastructure;
using Apex.Platform.Data.Batching;
using Npgsql;
using NpgsqlTypes;

namespace Apex.Integration.DatabaseCoordination;

/// <summary>
/// Plan item 57: the COPY batch writer sizes batches by rows and bytes, writes every row with its
/// exact values, and rejects a batch with a bad row whole, naming the row. Its throughput against
/// multi-row INSERT and row-at-a-time INSERT is measured in benchmarks/Apex.Data.Benchmarks, not here.
/// </summary>
[PlanItem(57)]
[BusinessValue("Growth and Enterprise (high-volume ingestion)", "Ingest usage and events at volume",
    "Throughput worth $4K MRR efficiency", "Bulk imports finish in seconds and never half-land")]
public sealed class BatchInsertTests(BatchInsertTests.Db db) : IClassFixture<BatchInsertTests.Db>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public sealed record UsageEvent(long Id, string Tenant, decimal Amount, DateTime OccurredAt, string? Note);

    public sealed class Db(PostgresServer postgres) : ClassDatabase(postgres)
    {
        protected override string Owner => "item57";

        public async Task<CopyBatchWriter<UsageEvent>> TableAsync(string name, BatchLimits limits)
        {
            await ExecuteAsync($"""
                CREATE TABLE {name} (id bigint PRIMARY KEY, tenant text NOT NULL, amount numeric(12,4) NOT NULL CHECK (amount >= 0),
                                     occurred_at timestamptz NOT NULL, note text)
                """);
            var table = new CopyTable<UsageEvent>(name,
            [
                new("id", NpgsqlDbType.Bigint, e => e.Id),
                new("tenant", NpgsqlDbType.Text, e => e.Tenant),
                new("amount", NpgsqlDbType.Numeric, e => e.Amount),
                new("occurred_at", NpgsqlDbType.TimestampTz, e => e.OccurredAt),
                new("note", NpgsqlDbType.Text, e => e.Note),
            ], e => e.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), e => 40 + (e.Note?.Length ?? 0) + e.Tenant.Length);
            return new CopyBatchWriter<UsageEvent>(DataSource, table, limits, TimeProvider.System);
        }

        public async Task<List<UsageEvent>> ReadAsync(string table)
        {
            await using var command = DataSource.CreateCommand($"SELECT id, tenant, amount, occurred_at, note FROM {table} ORDER BY id");
            await using var reader = await command.ExecuteReaderAsync(Ct);
            var rows = new List<UsageEvent>();
            while (await reader.ReadAsync(Ct))
            {
                rows.Add(new UsageEvent(reader.GetInt64(0), reader.GetString(1), reader.GetDecimal(2), reader.GetDateTime(3), reader.IsDBNull(4) ? null : reader.GetString(4)));
            }

            return rows;
        }
    }

    private static List<UsageEvent> Events(int count, int firstId = 1) =>
    [
        .. Enumerable.Range(firstId, count).Select(i => new UsageEvent(i, $"tenant-{i % 7}", i * 1.0625m,
            new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddSeconds(i * 37), i % 5 == 0 ? null : $"note {i} – ünïcode ✓")),
    ];

    [Fact]
    public async Task WriteAsync_WritesEveryRowWithExactValues_InBatchesOfTheRowLimit_AndCountsThemInMetrics()
    {
        var writer = await db.TableAsync("usage_rows", new BatchLimits(MaxRows: 1_000));
        var events = Events(2_500);
        long metered = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) => { if (instrument.Name == "apex.db.batch.rows") l.EnableMeasurementEvents(instrument); };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            if (tags.ToArray().Contains(new("table", "usage_rows"))) Interlocked.Add(ref metered, value);
        });
        listener.Start();

        var report = await writer.WriteAsync(events, Ct);

        Assert.Equal(2_500, report.Rows);
        Assert.Equal([1_000, 1_000, 500], report.Batches.Select(b => b.Rows));
        Assert.Equal(events, await db.ReadAsync("usage_rows"));
        Assert.Equal(2_500, Interlocked.Read(ref metered));
    }

    [Fact]
    public async Task WriteAsync_ClosesABatchAtTheByteLimit_BeforeTheRowLimit()
    {
        var writer = await db.TableAsync("usage_sized", new BatchLimits(MaxRows: 1_000, MaxBytes: 10_000));
        var events = Enumerable.Range(1, 10).Select(i => new UsageEvent(i, "big", 1m, DateTime.UnixEpoch, new string('x', 2_960))).ToList();

        var report = await writer.WriteAsync(events, Ct);

        // Each row is estimated at 3,003 bytes: three fit under 10,000, the fourth would not.
        Assert.Equal([3, 3, 3, 1], report.Batches.Select(b => b.Rows));
        Assert.All(report.Batches, b => Assert.True(b.EstimatedBytes <= 10_000));
        Assert.Equal(10, (await db.ReadAsync("usage_sized")).Count);
    }

    [Fact]
    public async Task WriteAsync_RejectsTheWholeBatchWithABadRow_NamingTheRow_AndKeepsTheBatchesBefore()
    {
        var writer = await db.TableAsync("usage_bad", new BatchLimits(MaxRows: 100));
        var events = Events(300);
        events[137] = events[137] with { Amount = -5m };

        var error = await Assert.ThrowsAsync<BatchRejectedException>(() => writer.WriteAsync(events, Ct));

        Assert.Equal((1, 38, "138", 100L), (error.Batch, error.RowInBatch, error.RowKey, error.CommittedRows));
        Assert.StartsWith("Batch 2 (100 rows) into usage_bad was rejected and rolled back because of row 38 (key 138)", error.Message, StringComparison.Ordinal);
        Assert.Contains("check constraint", error.Message, StringComparison.Ordinal);
        Assert.Equal(events.Take(100), await db.ReadAsync("usage_bad"));
    }

    [Fact]
    public async Task WriteAsync_RejectsABatchWhoseRowDuplicatesACommittedKey()
    {
        var writer = await db.TableAsync("usage_dup", new BatchLimits(MaxRows: 50));
        await writer.WriteAsync(Events(50), Ct);

        var error = await Assert.ThrowsAsync<BatchRejectedException>(() => writer.WriteAsync(Events(50, firstId: 40), Ct));

        Assert.Equal(PostgresErrorCodes.UniqueViolation, Assert.IsType<PostgresException>(error.InnerException).SqlState);
        Assert.Equal("40", error.RowKey);
        Assert.Equal(50, (await db.ReadAsync("usage_dup")).Count);
    }
}
