using System.Text.RegularExpressions;
using Apex.Platform.Data.ClickHouse;
using Npgsql;
using StackExchange.Redis;

namespace Apex.Platform.Data.References;

/// <summary>
/// Foreign keys that no database enforces: ClickHouse rows and Redis keys that name a PostgreSQL
/// row. The checker collects the distinct referenced ids from each store, looks them up in
/// PostgreSQL in bulk (chunks of <see cref="ChunkSize"/> ids per query, never one query per id),
/// and reports the orphans; <see cref="QuarantineAsync"/> moves orphaned data aside rather than
/// deleting it, so nothing is lost if the parent row comes back (a restore, a late replication).
/// </summary>
public sealed partial class CrossStoreReferenceChecker(NpgsqlDataSource postgres, ClickHouseHttpClient clickHouse, IDatabase redis, ParentTable parent)
{
    public const int ChunkSize = 5_000;

    public async Task<OrphanReport> CheckClickHouseAsync(string table, string column, CancellationToken ct)
    {
        RequireIdentifier(table);
        RequireIdentifier(column);
        var referenced = await clickHouse.QueryAsync<IdCount>($"SELECT toString({column}) AS id, count() AS rows FROM {table} GROUP BY {column}", ct);
        var missing = await MissingAsync([.. referenced.Select(r => r.Id)], ct);
        return new OrphanReport($"clickhouse:{table}.{column}", referenced.Count,
            [.. referenced.Where(r => missing.Contains(r.Id)).OrderBy(r => r.Id, StringComparer.Ordinal).Select(r => new Orphan(r.Id, r.Rows, []))]);
    }

    /// <summary>Redis keys matching <paramref name="pattern"/>; the id is the pattern's one <c>*</c>.</summary>
    public async Task<OrphanReport> CheckRedisAsync(string pattern, CancellationToken ct)
    {
        var server = redis.Multiplexer.GetServers()[0];
        var extract = new Regex("^" + Regex.Escape(pattern).Replace(@"\*", "(.+)", StringComparison.Ordinal) + "$");
        var keys = new Dictionary<string, List<string>>();
        await foreach (var key in server.KeysAsync(redis.Database, pattern, pageSize: 1_000).WithCancellation(ct))
        {
            var id = extract.Match(key.ToString()).Groups[1].Value;
            if (!keys.TryGetValue(id, out var list)) keys[id] = list = [];
            list.Add(key.ToString());
        }

        var missing = await MissingAsync([.. keys.Keys], ct);
        return new OrphanReport($"redis:{pattern}", keys.Count,
            [.. keys.Where(k => missing.Contains(k.Key)).OrderBy(k => k.Key, StringComparer.Ordinal).Select(k => new Orphan(k.Key, k.Value.Count, [.. k.Value.Order(StringComparer.Ordinal)]))]);
    }

    /// <summary>
    /// Moves the orphans of a ClickHouse report into <c>{table}_quarantine</c> (same columns) and
    /// deletes them from the table, waiting for ClickHouse's asynchronous delete to finish.
    /// </summary>
    public async Task QuarantineAsync(OrphanReport report, string table, string column, CancellationToken ct)
    {
        if (report.Orphans.Count == 0) return;
        var ids = string.Join(", ", report.Orphans.Select(o => ClickHouseHttpClient.Literal(o.Id)));
        await clickHouse.ExecuteAsync($"CREATE TABLE IF NOT EXISTS {table}_quarantine AS {table}", ct);
        await clickHouse.ExecuteAsync($"INSERT INTO {table}_quarantine SELECT * FROM {table} WHERE toString({column}) IN ({ids})", ct);
        await clickHouse.ExecuteAsync($"ALTER TABLE {table} DELETE WHERE toString({column}) IN ({ids})", ct);
        while ((await clickHouse.QueryAsync<IdCount>($"SELECT '' AS id, count() AS rows FROM system.mutations WHERE database = currentDatabase() AND table = {ClickHouseHttpClient.Literal(table)} AND is_done = 0", ct))[0].Rows > 0)
        {
            await Task.Delay(50, ct);
        }
    }

    /// <summary>Renames each orphaned Redis key under <paramref name="quarantinePrefix"/>, keeping its value and type.</summary>
    public async Task QuarantineAsync(OrphanReport report, string quarantinePrefix, CancellationToken ct)
    {
        foreach (var key in report.Orphans.SelectMany(o => o.Keys))
        {
            ct.ThrowIfCancellationRequested();
            await redis.KeyRenameAsync(key, quarantinePrefix + key);
        }
    }

    private async Task<HashSet<string>> MissingAsync(IReadOnlyList<string> ids, CancellationToken ct)
    {
        var missing = new HashSet<string>(ids, StringComparer.Ordinal);
        // An id that cannot even be a key (text where the key is a number) is an orphan without asking.
        foreach (var chunk in ids.Where(parent.IsWellFormed).Chunk(ChunkSize))
        {
            await using var command = postgres.CreateCommand($"SELECT {parent.KeyColumn}::text FROM {parent.Table} WHERE {parent.KeyColumn} = ANY($1::{parent.KeyType}[])");
            command.Parameters.Add(new() { Value = chunk });
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) missing.Remove(reader.GetString(0));
        }

        return missing;
    }

    private static void RequireIdentifier(string name)
    {
        if (!Identifier().IsMatch(name)) throw new ArgumentException($"'{name}' is not a plain identifier.", nameof(name));
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex Identifier();

    private sealed record IdCount(string Id, long Rows);
}

/// <summary>
/// The PostgreSQL table that owns the ids (e.g. accounts.id of type uuid). The ids travel as text
/// and are cast to <see cref="KeyType"/> as one array, so the lookup uses the primary key's index.
/// </summary>
public sealed record ParentTable(string Table, string KeyColumn, string KeyType = "text")
{
    public bool IsWellFormed(string id) => KeyType switch
    {
        "bigint" or "integer" or "smallint" => long.TryParse(id, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out _),
        "uuid" => Guid.TryParse(id, out _),
        _ => true,
    };
}

/// <summary>Where the references were read, how many distinct ids were checked, and the orphans among them.</summary>
public sealed record OrphanReport(string Source, int CheckedIds, IReadOnlyList<Orphan> Orphans);

/// <summary>An id with no parent row: how many rows or keys name it, and (for Redis) which keys.</summary>
public sealed record Orphan(string Id, long References, IReadOnlyList<string> Keys);
