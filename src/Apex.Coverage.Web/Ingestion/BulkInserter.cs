using Apex.Coverage.Web.Data;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace Apex.Coverage.Web.Ingestion;

/// <summary>
/// Inserts many rows of one entity type inside the context's open transaction, skipping the
/// per-entity change tracking that made a 10,000-result upload slow: on SQLite through one
/// prepared command, on PostgreSQL through a binary COPY. Table, columns, column types and value
/// conversions are read from the EF model, so the statement follows the model's migrations.
/// Generated keys are not read back.
/// </summary>
internal static class BulkInserter
{
    /// <summary>Inserts every row; a duplicate key fails the caller's transaction.</summary>
    public static Task InsertAsync<T>(DbContext db, IReadOnlyCollection<T> rows, CancellationToken cancellationToken)
        where T : class =>
        InsertAsync(db, rows, skipExisting: false, cancellationToken);

    /// <summary>
    /// Inserts the rows whose unique keys are not stored yet. Two uploads of one suite at once
    /// both find a new test unknown; the second one's insert waits for the first and then skips
    /// the row, instead of failing on the unique index (PostgreSQL; SQLite serialises writers).
    /// </summary>
    public static Task InsertNewAsync<T>(DbContext db, IReadOnlyCollection<T> rows, CancellationToken cancellationToken)
        where T : class =>
        InsertAsync(db, rows, skipExisting: true, cancellationToken);

    private static async Task InsertAsync<T>(DbContext db, IReadOnlyCollection<T> rows, bool skipExisting, CancellationToken cancellationToken)
        where T : class
    {
        if (rows.Count == 0)
        {
            return;
        }

        var entityType = db.Model.FindEntityType(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T).Name} is not in the model.");
        var table = StoreObjectIdentifier.Table(entityType.GetTableName()!, entityType.GetSchema());
        var columns = entityType.GetProperties()
            .Where(p => !(p.IsPrimaryKey() && p.ValueGenerated == ValueGenerated.OnAdd))
            .ToList();
        var transaction = db.Database.CurrentTransaction?.GetDbTransaction()
            ?? throw new InvalidOperationException("Bulk inserts run inside the caller's transaction.");
        var columnList = string.Join(", ", columns.Select(c => $"\"{c.GetColumnName(table)}\""));
        var storeTypes = columns.Select(c => WithoutFacets(c.GetColumnType(table))).ToArray();
        if (transaction is NpgsqlTransaction { Connection: { } connection } && !skipExisting)
        {
            await CopyAsync(connection, $"COPY \"{table.Name}\" ({columnList}) FROM STDIN (FORMAT BINARY)", storeTypes, columns, rows, cancellationToken);
        }
        else if (transaction is NpgsqlTransaction { Connection: { } staging })
        {
            var key = entityType.GetIndexes().FirstOrDefault(i => i.IsUnique)?.Properties ?? entityType.FindPrimaryKey()!.Properties;
            var keyOrder = string.Join(", ", key.Select(c => $"\"{c.GetColumnName(table)}\""));
            await CopyNewAsync(staging, (table.Name, columnList, keyOrder), storeTypes, columns, rows, cancellationToken);
        }
        else
        {
            await InsertEachAsync((SqliteTransaction)transaction, $"INSERT INTO \"{table.Name}\" ({columnList}) ", skipExisting ? " ON CONFLICT DO NOTHING" : "",
                columns, rows, cancellationToken);
        }
    }

    // COPY has no ON CONFLICT: the rows go to a temp table first, then across in key order (two
    // writers that lock the same new keys in one order cannot deadlock).
    private static async Task CopyNewAsync<T>(
        NpgsqlConnection connection, (string Table, string Columns, string KeyOrder) sql, string[] storeTypes, List<IProperty> columns,
        IReadOnlyCollection<T> rows, CancellationToken cancellationToken)
        where T : class
    {
        var (table, columnList, keyOrder) = sql;
        var staging = $"bulk_{Guid.NewGuid():N}";
        await ExecuteAsync(connection, $"CREATE TEMP TABLE {staging} AS SELECT {columnList} FROM \"{table}\" WITH NO DATA", cancellationToken);
        await CopyAsync(connection, $"COPY {staging} ({columnList}) FROM STDIN (FORMAT BINARY)", storeTypes, columns, rows, cancellationToken);
        await ExecuteAsync(connection, $"INSERT INTO \"{table}\" ({columnList}) SELECT {columnList} FROM {staging} ORDER BY {keyOrder} ON CONFLICT DO NOTHING", cancellationToken);
        await ExecuteAsync(connection, $"DROP TABLE {staging}", cancellationToken);
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task InsertEachAsync<T>(
        SqliteTransaction transaction, string insertInto, string onConflict, List<IProperty> columns, IReadOnlyCollection<T> rows, CancellationToken cancellationToken)
        where T : class
    {
        await using var command = transaction.Connection!.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = insertInto + $"VALUES ({string.Join(", ", columns.Select((_, i) => $"$p{i}"))})" + onConflict;
        var parameters = columns.Select((_, i) => command.Parameters.Add(new SqliteParameter($"$p{i}", DBNull.Value))).ToArray();
        command.Prepare();
        foreach (var row in rows)
        {
            for (var i = 0; i < columns.Count; i++)
            {
                parameters[i].Value = ProviderValue(columns[i], row);
            }

            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    // COPY checks each value against the column's type, so every value is written with the store
    // type the migration gave the column ("bigint", "character varying(1000)", "boolean", ...).
    private static async Task CopyAsync<T>(
        NpgsqlConnection connection, string copy, string[] storeTypes, List<IProperty> columns, IReadOnlyCollection<T> rows, CancellationToken cancellationToken)
        where T : class
    {
        await using var writer = await connection.BeginBinaryImportAsync(copy, cancellationToken);
        foreach (var row in rows)
        {
            await writer.StartRowAsync(cancellationToken);
            for (var i = 0; i < columns.Count; i++)
            {
                await writer.WriteAsync(ProviderValue(columns[i], row), storeTypes[i], cancellationToken);
            }
        }

        await writer.CompleteAsync(cancellationToken);
    }

    // "character varying(1000)" is written as "character varying": the length is the column's to check.
    private static string WithoutFacets(string storeType) =>
        storeType.IndexOf('(', StringComparison.Ordinal) is var open and > 0 ? storeType[..open].TrimEnd() : storeType;

    private static object ProviderValue(IProperty column, object row)
    {
        var value = column.GetGetter().GetClrValue(row);
        if (value is null)
        {
            return DBNull.Value;
        }

        var converter = column.GetTypeMapping().Converter;
        return converter is not null ? converter.ConvertToProvider(value) ?? DBNull.Value
            : value is Enum ? Convert.ChangeType(value, Enum.GetUnderlyingType(value.GetType()), System.Globalization.CultureInfo.InvariantCulture)
            : value;
    }
}
