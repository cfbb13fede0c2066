using Npgsql;

namespace Apex.Platform.Data.Timeouts;

/// <summary>
/// Finds queries of the current database that have been running longer than a threshold
/// (<c>pg_stat_activity</c>) and cancels them with <c>pg_cancel_backend</c> — the query stops, the
/// session and its pooled connection stay. Sessions whose application name is listed as exempt
/// (migrations, backups) are left alone.
/// </summary>
public sealed class RunawayQueryKiller(NpgsqlDataSource dataSource)
{
    private const string Query = """
        SELECT pid, application_name, query, extract(epoch FROM now() - query_start), pg_cancel_backend(pid)
        FROM pg_stat_activity
        WHERE datname = current_database() AND state = 'active' AND pid <> pg_backend_pid()
          AND backend_type = 'client backend'
          AND now() - query_start > $1 AND NOT (application_name = ANY($2))
        """;

    public async Task<IReadOnlyList<CancelledQuery>> CancelRunawayAsync(TimeSpan threshold, IReadOnlyCollection<string> exempt, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(Query);
        command.Parameters.Add(new() { Value = threshold });
        command.Parameters.Add(new() { Value = exempt.ToArray() });
        await using var reader = await command.ExecuteReaderAsync(ct);
        var cancelled = new List<CancelledQuery>();
        while (await reader.ReadAsync(ct))
        {
            cancelled.Add(new CancelledQuery(reader.GetInt32(0), reader.GetString(1), reader.GetString(2),
                TimeSpan.FromSeconds((double)reader.GetDecimal(3)), reader.GetBoolean(4)));
        }

        return cancelled;
    }
}

/// <summary>A runaway query found; <see cref="Signalled"/> is false when the backend was already gone.</summary>
public sealed record CancelledQuery(int Pid, string ApplicationName, string Query, TimeSpan Running, bool Signalled);
