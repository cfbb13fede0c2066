using Apex.Platform.Data.ClickHouse;
using Npgsql;

namespace Apex.Platform.Data.Sync;

/// <summary>
/// Compares the same facts in the two stores: a PostgreSQL query and a ClickHouse query each give
/// (key, value) pairs as text; the report lists keys missing from ClickHouse, keys ClickHouse has
/// that PostgreSQL does not, and keys whose values differ.
/// </summary>
public sealed class StoreConsistencyCheck(NpgsqlDataSource dataSource, ClickHouseHttpClient clickHouse)
{
    public async Task<ConsistencyReport> CompareAsync(string postgresSql, string clickHouseSql, CancellationToken ct)
    {
        var source = new Dictionary<string, string>();
        await using (var command = dataSource.CreateCommand(postgresSql))
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct)) source[reader.GetString(0)] = reader.GetString(1);
        }

        var copy = (await clickHouse.QueryAsync<KeyValueRow>(clickHouseSql, ct)).ToDictionary(r => r.Key, r => r.Value);
        return new ConsistencyReport(
            [.. source.Keys.Where(k => !copy.ContainsKey(k)).Order(StringComparer.Ordinal)],
            [.. copy.Keys.Where(k => !source.ContainsKey(k)).Order(StringComparer.Ordinal)],
            [.. source.Where(s => copy.TryGetValue(s.Key, out var v) && v != s.Value).Select(s => new ValueMismatch(s.Key, s.Value, copy[s.Key])).OrderBy(m => m.Key, StringComparer.Ordinal)]);
    }

    /// <summary>ClickHouse's side must select its columns AS key and AS value, both strings.</summary>
    private sealed record KeyValueRow(string Key, string Value);
}

public sealed record ConsistencyReport(IReadOnlyList<string> MissingInClickHouse, IReadOnlyList<string> OnlyInClickHouse, IReadOnlyList<ValueMismatch> Mismatched)
{
    public bool Consistent => MissingInClickHouse.Count == 0 && OnlyInClickHouse.Count == 0 && Mismatched.Count == 0;
}

public sealed record ValueMismatch(string Key, string PostgreSql, string ClickHouse);
