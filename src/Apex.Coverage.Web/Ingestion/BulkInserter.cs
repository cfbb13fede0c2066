using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace Apex.Coverage.Web.Ingestion;

/// <summary>
/// Inserts many rows of one entity type through one prepared SQLite command inside the context's
/// open transaction. Table, columns and value conversions are read from the EF model, so the
/// statement follows the model's migrations; only the per-entity change tracking is skipped,
/// which is what made a 10,000-result upload slow. Generated keys are not read back.
/// </summary>
internal static class BulkInserter
{
    public static async Task InsertAsync<T>(DbContext db, IReadOnlyCollection<T> rows, CancellationToken cancellationToken)
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
        var transaction = db.Database.CurrentTransaction?.GetDbTransaction() as SqliteTransaction
            ?? throw new InvalidOperationException("Bulk inserts run inside the caller's transaction.");
        await using var command = transaction.Connection!.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"INSERT INTO \"{table.Name}\" ({string.Join(", ", columns.Select(c => $"\"{c.GetColumnName(table)}\""))}) "
            + $"VALUES ({string.Join(", ", columns.Select((_, i) => $"$p{i}"))})";
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

    private static object ProviderValue(IProperty column, object row)
    {
        var value = column.GetGetter().GetClrValue(row);
        if (value is null)
        {
            return DBNull.Value;
        }

        var converter = column.GetTypeMapping().Converter;
        return converter is not null ? converter.ConvertToProvider(value) ?? DBNull.Value
            : value is Enum ? Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture)
            : value;
    }
}
