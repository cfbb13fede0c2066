using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using Npgsql;

namespace Apex.Platform.Data.Backup;

/// <summary>
/// Backs a database up with pg_dump (custom format), consistently with a manifest: the table
/// fingerprints are read in a repeatable-read transaction whose snapshot pg_dump then uses
/// (<c>--snapshot</c>), so the manifest describes exactly what the archive holds. An archive is
/// only called good after its size, SHA-256, header and table of contents check out; restore
/// testing replays it into a fresh database and compares every table with the manifest.
/// </summary>
public sealed class DatabaseBackup(string connectionString, BackupOptions options, TimeProvider time)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public async Task<BackupManifest> BackupAsync(CancellationToken ct)
    {
        Directory.CreateDirectory(options.Directory);
        var at = time.GetUtcNow();
        var archive = Path.Combine(options.Directory, $"{Target.Database}-{at:yyyyMMddTHHmmssfff}.dump");
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var snapshot = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
        string snapshotId;
        await using (var export = new NpgsqlCommand("SELECT pg_export_snapshot()", connection)) snapshotId = (string)(await export.ExecuteScalarAsync(ct))!;
        var tables = await TableFingerprint.ReadAllAsync(connection, ct);
        await RunAsync(options.PgDump, ["--format=custom", "--no-owner", $"--snapshot={snapshotId}", "--file", archive + ".partial", "--dbname", LibPq(Target)], ct);
        await snapshot.CommitAsync(ct);
        File.Move(archive + ".partial", archive);
        var manifest = new BackupManifest(Path.GetFileName(archive), new FileInfo(archive).Length, await Sha256Async(archive, ct), at, tables);
        await File.WriteAllTextAsync(archive + ".manifest.json", JsonSerializer.Serialize(manifest, Json), ct);
        return manifest;
    }

    /// <summary>The archive's full path (manifests name the file only, so a backup folder can be moved).</summary>
    public string PathOf(BackupManifest manifest) => Path.Combine(options.Directory, manifest.Archive);

    public async Task<BackupValidation> ValidateAsync(string archive, CancellationToken ct)
    {
        var problems = new List<string>();
        var manifest = await ManifestAsync(archive, problems, ct);
        if (!File.Exists(archive)) return new BackupValidation(archive, [.. problems, "the archive file is missing"]);
        var bytes = new FileInfo(archive).Length;
        if (manifest is not null && bytes != manifest.Bytes) problems.Add($"size {bytes} bytes, the manifest says {manifest.Bytes} (truncated or overwritten)");
        if (manifest is not null && await Sha256Async(archive, ct) != manifest.Sha256) problems.Add("SHA-256 differs from the manifest (corrupted)");
        await using (var file = File.OpenRead(archive))
        {
            var header = new byte[5];
            if (await file.ReadAtLeastAsync(header, 5, throwOnEndOfStream: false, ct) < 5 || "PGDMP"u8.SequenceEqual(header) is false) problems.Add("not a pg_dump custom-format archive (no PGDMP header)");
        }

        if (await RunAsync(options.PgRestore, ["--list", archive], ct, throwOnFailure: false) is { } listError) problems.Add($"pg_restore cannot read its table of contents: {listError}");
        return new BackupValidation(archive, problems);
    }

    /// <summary>Validates, restores into a new database on the same server, compares with the manifest, and drops the copy.</summary>
    public async Task<RestoreVerification> RestoreAndVerifyAsync(string archive, CancellationToken ct)
    {
        var validation = await ValidateAsync(archive, ct);
        if (!validation.Valid) return new RestoreVerification(archive, [], [.. validation.Problems.Select(p => $"not restored: {p}")]);
        var manifest = JsonSerializer.Deserialize<BackupManifest>(await File.ReadAllTextAsync(archive + ".manifest.json", ct), Json)!;
        var copy = $"restore_check_{Guid.NewGuid():N}";
        await AdminAsync($"CREATE DATABASE \"{copy}\"", ct);
        try
        {
            var restoreError = await RunAsync(options.PgRestore, ["--no-owner", "--exit-on-error", "--dbname", LibPq(new NpgsqlConnectionStringBuilder(connectionString) { Database = copy }), archive], ct, throwOnFailure: false);
            await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Database = copy, Pooling = false }.ConnectionString);
            await connection.OpenAsync(ct);
            var restored = await TableFingerprint.ReadAllAsync(connection, ct);
            var differences = Compare(manifest.Tables, restored);
            if (restoreError is not null) differences.Insert(0, $"pg_restore failed: {restoreError}");
            return new RestoreVerification(archive, restored, differences);
        }
        finally
        {
            await AdminAsync($"DROP DATABASE IF EXISTS \"{copy}\" WITH (FORCE)", CancellationToken.None);
        }
    }

    private NpgsqlConnectionStringBuilder Target => new(connectionString);

    private static List<string> Compare(IReadOnlyList<TableFingerprint> expected, IReadOnlyList<TableFingerprint> actual)
    {
        var restored = actual.ToDictionary(t => t.Table);
        var differences = new List<string>();
        foreach (var table in expected)
        {
            if (!restored.TryGetValue(table.Table, out var copy)) differences.Add($"{table.Table}: missing after restore");
            else if (copy.Rows != table.Rows) differences.Add($"{table.Table}: {copy.Rows} rows restored, {table.Rows} backed up");
            else if (copy.Checksum != table.Checksum) differences.Add($"{table.Table}: same row count, different content");
        }

        differences.AddRange(actual.Where(t => expected.All(e => e.Table != t.Table)).Select(t => $"{t.Table}: not in the backup"));
        return differences;
    }

    private static async Task<BackupManifest?> ManifestAsync(string archive, List<string> problems, CancellationToken ct)
    {
        try
        {
            return JsonSerializer.Deserialize<BackupManifest>(await File.ReadAllTextAsync(archive + ".manifest.json", ct), Json);
        }
        catch (Exception e) when (e is IOException or JsonException)
        {
            problems.Add($"no readable manifest ({e.Message})");
            return null;
        }
    }

    private async Task AdminAsync(string sql, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Database = "postgres", Pooling = false }.ConnectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(ct);
    }

    private static string LibPq(NpgsqlConnectionStringBuilder b) => $"host={b.Host} port={b.Port} user={b.Username} dbname={b.Database}";

    private static async Task<string> Sha256Async(string path, CancellationToken ct)
    {
        await using var file = File.OpenRead(path);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(file, ct));
    }

    /// <summary>Runs a client tool; returns null on success, else its error output (or throws when asked to).</summary>
    private async Task<string?> RunAsync(string tool, string[] arguments, CancellationToken ct, bool throwOnFailure = true)
    {
        var info = new ProcessStartInfo(tool) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        if (Target.Password is { Length: > 0 } password) info.Environment["PGPASSWORD"] = password;
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {tool}.");
        var stderr = process.StandardError.ReadToEndAsync(ct);
        _ = await process.StandardOutput.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        if (process.ExitCode == 0) return null;
        var error = (await stderr).Trim();
        return throwOnFailure ? throw new InvalidOperationException($"{Path.GetFileName(tool)} failed ({process.ExitCode}): {error}") : error;
    }
}

/// <summary>Where archives go and which client tools make and read them (a full path, or a name on PATH).</summary>
public sealed record BackupOptions(string Directory, string PgDump = "pg_dump", string PgRestore = "pg_restore");
