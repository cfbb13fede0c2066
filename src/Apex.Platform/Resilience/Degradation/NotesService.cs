using Apex.Platform.Data.ClickHouse;
using Microsoft.FeatureManagement;
using Npgsql;

namespace Apex.Platform.Resilience.Degradation;

/// <summary>
/// A core feature (notes, in PostgreSQL) and an analytics feature over it (usage events in
/// ClickHouse). The core never waits on analytics: with ClickHouse down, notes are written and
/// read as always, usage is not recorded, and analytics answers with the notice instead of data.
/// </summary>
public sealed class NotesService(NpgsqlDataSource database, ClickHouseHttpClient clickhouse, IFeatureManager features, DependencyHealthMonitor monitor)
{
    public const string Schema = """
        CREATE TABLE IF NOT EXISTS resilience_notes (id uuid PRIMARY KEY, text text NOT NULL);
        """;

    public const string UsageTable = "resilience_usage_events";
    public const string UsageDdl = "CREATE TABLE IF NOT EXISTS resilience_usage_events (note_id String, kind String) ENGINE = MergeTree() ORDER BY note_id";

    public async Task<Guid> AddAsync(string text, CancellationToken cancellationToken)
    {
        var id = Guid.NewGuid();
        await using (var insert = database.CreateCommand("INSERT INTO resilience_notes (id, text) VALUES ($1, $2)"))
        {
            insert.Parameters.AddWithValue(id);
            insert.Parameters.AddWithValue(text);
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        if (await features.IsEnabledAsync(DegradableFeatures.Analytics, cancellationToken)) await RecordUsageAsync(id, cancellationToken);
        return id;
    }

    public async Task<IReadOnlyList<string>> ListAsync(CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand("SELECT text FROM resilience_notes ORDER BY text");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var notes = new List<string>();
        while (await reader.ReadAsync(cancellationToken)) notes.Add(reader.GetString(0));
        return notes;
    }

    /// <summary>Notes written while analytics was available, or null when it is not.</summary>
    public async Task<long?> UsageAsync(CancellationToken cancellationToken)
    {
        if (!await features.IsEnabledAsync(DegradableFeatures.Analytics, cancellationToken)) return null;
        try
        {
            var rows = await clickhouse.QueryAsync<UsageCount>($"SELECT count() AS events FROM {UsageTable}", cancellationToken);
            return rows.Single().Events;
        }
        catch (HttpRequestException)
        {
            monitor.ReportFailure("clickhouse");
            return null;
        }
    }

    private async Task RecordUsageAsync(Guid id, CancellationToken cancellationToken)
    {
        try
        {
            await clickhouse.InsertAsync(UsageTable, [new UsageEvent(id.ToString(), "note-created")], cancellationToken);
        }
        catch (Exception e) when (e is HttpRequestException or ClickHouseException)
        {
            monitor.ReportFailure("clickhouse");
        }
    }

    private sealed record UsageEvent(string NoteId, string Kind);

    private sealed record UsageCount(long Events);
}
