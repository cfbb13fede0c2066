using System.Diagnostics;
using System.Globalization;
using System.Text;
using Apex.Platform.Data.Batching;
using Npgsql;
using NpgsqlTypes;

// Batch insert throughput (plan item 57): the platform's COPY batch writer against multi-row
// INSERT and row-at-a-time INSERT, same rows, same table, median of several rounds.
//   APEX_BENCH_POSTGRES="Host=...;Username=...;Database=..." dotnet run -c Release --project benchmarks/Apex.Data.Benchmarks -- [rows] [rounds]
// benchmarks/Apex.Data.Benchmarks/bench-batch-insert.sh starts a throwaway PostgreSQL and runs this for you.
var connectionString = Environment.GetEnvironmentVariable("APEX_BENCH_POSTGRES")
    ?? throw new InvalidOperationException("Set APEX_BENCH_POSTGRES to an Npgsql connection string (or run benchmarks/Apex.Data.Benchmarks/bench-batch-insert.sh).");
var rows = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 20_000;
var rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3;
await using var dataSource = NpgsqlDataSource.Create(connectionString);
await ExecAsync(dataSource, "DROP TABLE IF EXISTS bench_events; CREATE TABLE bench_events (id bigint PRIMARY KEY, tenant text NOT NULL, amount numeric(12,4) NOT NULL, occurred_at timestamptz NOT NULL, note text)");
var events = Enumerable.Range(1, rows).Select(i => new Row(i, $"tenant-{i % 50}", i * 1.0625m, DateTime.UnixEpoch.AddSeconds(i), i % 5 == 0 ? null : $"note {i}")).ToList();

var modes = new (string Name, Func<Task> Run)[]
{
    ("COPY BINARY (CopyBatchWriter, 5,000-row batches)", () => CopyAsync(dataSource, events)),
    ("multi-row INSERT (1,000 rows per statement)", () => MultiRowAsync(dataSource, events, 1_000)),
    ("row-at-a-time INSERT (prepared, one transaction per 1,000)", () => RowAtATimeAsync(dataSource, events, 1_000)),
};

Console.WriteLine($"{rows:N0} rows, {rounds} rounds, median shown; server: {new NpgsqlConnectionStringBuilder(connectionString).Host}");
foreach (var (name, run) in modes)
{
    var seconds = new List<double>();
    for (var round = 0; round < rounds; round++)
    {
        await ExecAsync(dataSource, "TRUNCATE bench_events");
        var clock = Stopwatch.StartNew();
        await run();
        seconds.Add(clock.Elapsed.TotalSeconds);
    }

    var median = seconds.Order().ElementAt(seconds.Count / 2);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-62} {median,8:0.000} s  {rows / median,12:N0} rows/s  (rounds: {string.Join(", ", seconds.Select(s => s.ToString("0.000", CultureInfo.InvariantCulture)))})"));
}

static Task CopyAsync(NpgsqlDataSource dataSource, List<Row> events)
{
    var table = new CopyTable<Row>("bench_events",
    [
        new("id", NpgsqlDbType.Bigint, e => e.Id),
        new("tenant", NpgsqlDbType.Text, e => e.Tenant),
        new("amount", NpgsqlDbType.Numeric, e => e.Amount),
        new("occurred_at", NpgsqlDbType.TimestampTz, e => e.OccurredAt),
        new("note", NpgsqlDbType.Text, e => e.Note),
    ], e => e.Id.ToString(CultureInfo.InvariantCulture), e => 48 + e.Tenant.Length + (e.Note?.Length ?? 0));
    return new CopyBatchWriter<Row>(dataSource, table, new BatchLimits(MaxRows: 5_000), TimeProvider.System).WriteAsync(events, CancellationToken.None);
}

static async Task MultiRowAsync(NpgsqlDataSource dataSource, List<Row> events, int perStatement)
{
    await using var connection = await dataSource.OpenConnectionAsync();
    foreach (var chunk in events.Chunk(perStatement))
    {
        var sql = new StringBuilder("INSERT INTO bench_events (id, tenant, amount, occurred_at, note) VALUES ");
        await using var command = new NpgsqlCommand { Connection = connection };
        for (var i = 0; i < chunk.Length; i++)
        {
            sql.Append(i == 0 ? "" : ",").Append(CultureInfo.InvariantCulture, $"(${i * 5 + 1},${i * 5 + 2},${i * 5 + 3},${i * 5 + 4},${i * 5 + 5})");
            AddValues(command, chunk[i]);
        }

        command.CommandText = sql.ToString();
        await command.ExecuteNonQueryAsync();
    }
}

static async Task RowAtATimeAsync(NpgsqlDataSource dataSource, List<Row> events, int perTransaction)
{
    await using var connection = await dataSource.OpenConnectionAsync();
    foreach (var chunk in events.Chunk(perTransaction))
    {
        await using var transaction = await connection.BeginTransactionAsync();
        foreach (var row in chunk)
        {
            await using var command = new NpgsqlCommand("INSERT INTO bench_events (id, tenant, amount, occurred_at, note) VALUES ($1, $2, $3, $4, $5)", connection, transaction);
            AddValues(command, row);
            await command.ExecuteNonQueryAsync();
        }

        await transaction.CommitAsync();
    }
}

static void AddValues(NpgsqlCommand command, Row row)
{
    command.Parameters.Add(new() { Value = row.Id });
    command.Parameters.Add(new() { Value = row.Tenant });
    command.Parameters.Add(new() { Value = row.Amount });
    command.Parameters.Add(new() { Value = row.OccurredAt });
    command.Parameters.Add(new() { Value = (object?)row.Note ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
}

static async Task ExecAsync(NpgsqlDataSource dataSource, string sql)
{
    await using var command = dataSource.CreateCommand(sql);
    await command.ExecuteNonQueryAsync();
}

internal sealed record Row(long Id, string Tenant, decimal Amount, DateTime OccurredAt, string? Note);
