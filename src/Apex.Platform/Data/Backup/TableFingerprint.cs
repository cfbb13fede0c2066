using Npgsql;

namespace Apex.Platform.Data.Backup;

/// <summary>Row count and an order-independent checksum of each table in the public schema, read in the connection's snapshot.</summary>
public sealed record TableFingerprint(string Table, long Rows, string Checksum)
{
    public static async Task<List<TableFingerprint>> ReadAllAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        var tables = new List<string>();
        await using (var list = new NpgsqlCommand("SELECT quote_ident(tablename) FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename", connection))
        await using (var reader = await list.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct)) tables.Add(reader.GetString(0));
        }

        var fingerprints = new List<TableFingerprint>();
        foreach (var table in tables)
        {
            await using var command = new NpgsqlCommand($"SELECT count(*), coalesce(md5(string_agg(t::text, E'\\n' ORDER BY t::text)), '') FROM public.{table} t", connection);
            await using var reader = await command.ExecuteReaderAsync(ct);
            await reader.ReadAsync(ct);
            fingerprints.Add(new TableFingerprint(table, reader.GetInt64(0), reader.GetString(1)));
        }

        return fingerprints;
    }
}

/// <summary>What a backup promises: the archive's size and SHA-256, and each table's fingerprint at the dump's snapshot.</summary>
public sealed record BackupManifest(string Archive, long Bytes, string Sha256, DateTimeOffset TakenAt, IReadOnlyList<TableFingerprint> Tables);

/// <summary>The verdict on an archive; <see cref="Problems"/> says what is wrong, and an archive with problems is never valid.</summary>
public sealed record BackupValidation(string Archive, IReadOnlyList<string> Problems)
{
    public bool Valid => Problems.Count == 0;
}

/// <summary>A restore into a fresh database compared with the manifest: tables whose rows or checksum differ.</summary>
public sealed record RestoreVerification(string Archive, IReadOnlyList<TableFingerprint> Restored, IReadOnlyList<string> Differences)
{
    public bool Matches => Differences.Count == 0;
}
