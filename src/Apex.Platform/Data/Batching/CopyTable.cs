using NpgsqlTypes;

namespace Apex.Platform.Data.Batching;

/// <summary>How rows of <typeparamref name="T"/> map to a table's columns for binary COPY.</summary>
public sealed record CopyTable<T>(string Table, IReadOnlyList<CopyColumn<T>> Columns, Func<T, string> RowKey, Func<T, int> EstimatedBytes)
{
    public string CopyCommand => $"COPY {Table} ({string.Join(", ", Columns.Select(c => c.Name))}) FROM STDIN (FORMAT BINARY)";
}

/// <summary>One column: its name, its PostgreSQL type (binary COPY sends typed values), and how to read it from a row.</summary>
public sealed record CopyColumn<T>(string Name, NpgsqlDbType Type, Func<T, object?> Value);

/// <summary>Batch limits: a batch closes at whichever comes first, the row count or the estimated size.</summary>
public sealed record BatchLimits(int MaxRows = 5_000, int MaxBytes = 4 * 1024 * 1024)
{
    public void Validate()
    {
        if (MaxRows < 1) throw new ArgumentOutOfRangeException(nameof(MaxRows), MaxRows, "A batch holds at least one row.");
        if (MaxBytes < 1) throw new ArgumentOutOfRangeException(nameof(MaxBytes), MaxBytes, "A batch holds at least one byte.");
    }
}

/// <summary>What a write did: rows and batches committed, each batch's size and time.</summary>
public sealed record BatchWriteReport(long Rows, IReadOnlyList<BatchStatistics> Batches);

public sealed record BatchStatistics(int Rows, int EstimatedBytes, TimeSpan Elapsed);

/// <summary>
/// A batch PostgreSQL refused. Its transaction rolled back, so none of its rows were written;
/// batches before it were committed (<see cref="CommittedRows"/>). The message names the row.
/// </summary>
public sealed class BatchRejectedException(string message, int batch, int rowInBatch, string? rowKey, long committedRows, Exception inner)
    : Exception(message, inner)
{
    public int Batch { get; } = batch;

    public int RowInBatch { get; } = rowInBatch;

    public string? RowKey { get; } = rowKey;

    public long CommittedRows { get; } = committedRows;
}
