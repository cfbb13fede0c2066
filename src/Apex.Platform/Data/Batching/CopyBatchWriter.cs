using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text.RegularExpressions;
using Npgsql;

namespace Apex.Platform.Data.Batching;

/// <summary>
/// Writes rows with binary COPY in batches closed by row count or estimated size, each batch in
/// its own transaction. COPY streams rows without the bind-parameter limit of a multi-row INSERT
/// (measurements in benchmarks/Apex.Data.Benchmarks and ADR 0113); its one drawback, an error that
/// names only a line of the stream, is turned back into the row that caused it.
/// </summary>
public sealed partial class CopyBatchWriter<T>(NpgsqlDataSource dataSource, CopyTable<T> table, BatchLimits limits, TimeProvider time)
{
    private static readonly Meter Meter = new("Apex.Platform.Data.Batching");
    private static readonly Counter<long> RowsWritten = Meter.CreateCounter<long>("apex.db.batch.rows", description: "Rows committed by batch writers");
    private static readonly Histogram<double> BatchSeconds = Meter.CreateHistogram<double>("apex.db.batch.duration", "s", "Time to COPY and commit one batch");

    public async Task<BatchWriteReport> WriteAsync(IEnumerable<T> rows, CancellationToken ct)
    {
        limits.Validate();
        var batches = new List<BatchStatistics>();
        long committed = 0;
        foreach (var (batch, bytes) in Chunk(rows))
        {
            var started = time.GetTimestamp();
            await CopyAsync(batch, batches.Count, committed, ct);
            var elapsed = time.GetElapsedTime(started);
            committed += batch.Count;
            batches.Add(new BatchStatistics(batch.Count, bytes, elapsed));
            RowsWritten.Add(batch.Count, new KeyValuePair<string, object?>("table", table.Table));
            BatchSeconds.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("table", table.Table));
        }

        return new BatchWriteReport(committed, batches);
    }

    private IEnumerable<(List<T> Rows, int Bytes)> Chunk(IEnumerable<T> rows)
    {
        var batch = new List<T>();
        var bytes = 0;
        foreach (var row in rows)
        {
            var size = table.EstimatedBytes(row);
            if (batch.Count > 0 && (batch.Count >= limits.MaxRows || bytes + size > limits.MaxBytes))
            {
                yield return (batch, bytes);
                (batch, bytes) = ([], 0);
            }

            batch.Add(row);
            bytes += size;
        }

        if (batch.Count > 0) yield return (batch, bytes);
    }

    private async Task CopyAsync(List<T> batch, int batchIndex, long committed, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        try
        {
            await using (var importer = await connection.BeginBinaryImportAsync(table.CopyCommand, ct))
            {
                foreach (var row in batch) await WriteRowAsync(importer, row, ct);
                await importer.CompleteAsync(ct);
            }

            await transaction.CommitAsync(ct);
        }
        catch (PostgresException e)
        {
            var line = CopyLine().Match(e.Where ?? string.Empty) is { Success: true } m ? int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
            var key = line >= 1 && line <= batch.Count ? table.RowKey(batch[line - 1]) : null;
            throw new BatchRejectedException(
                $"Batch {batchIndex + 1} ({batch.Count} rows) into {table.Table} was rejected and rolled back"
                + (key is null ? string.Empty : $" because of row {line} (key {key})") + $": {e.MessageText}",
                batchIndex, line, key, committed, e);
        }
    }

    private async Task WriteRowAsync(NpgsqlBinaryImporter importer, T row, CancellationToken ct)
    {
        await importer.StartRowAsync(ct);
        foreach (var column in table.Columns)
        {
            var value = column.Value(row);
            if (value is null) await importer.WriteNullAsync(ct);
            else await importer.WriteAsync(value, column.Type, ct);
        }
    }

    [GeneratedRegex(@"COPY \S+, line (\d+)")]
    private static partial Regex CopyLine();
}
