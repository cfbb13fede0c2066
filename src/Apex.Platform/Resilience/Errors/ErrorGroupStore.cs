using Npgsql;

namespace Apex.Platform.Resilience.Errors;

/// <summary>
/// The aggregator: one row per fingerprint in PostgreSQL, shared by every service, updated with a
/// single upsert so concurrent reports of one cause from several services never lose a count.
/// </summary>
public sealed class ErrorGroupStore(NpgsqlDataSource database)
{
    public const string Schema = """
        CREATE TABLE IF NOT EXISTS resilience_error_groups (
            fingerprint text PRIMARY KEY,
            kind text NOT NULL,
            template text NOT NULL,
            sample text NOT NULL,
            location text,
            occurrences bigint NOT NULL,
            first_seen timestamptz NOT NULL,
            last_seen timestamptz NOT NULL,
            services text[] NOT NULL);
        """;

    public async Task AddAsync(ErrorReport report, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand("""
            INSERT INTO resilience_error_groups AS g (fingerprint, kind, template, sample, location, occurrences, first_seen, last_seen, services)
            VALUES ($1, $2, $3, $4, $5, 1, $6, $6, ARRAY[$7])
            ON CONFLICT (fingerprint) DO UPDATE SET
                occurrences = g.occurrences + 1,
                sample = EXCLUDED.sample,
                first_seen = LEAST(g.first_seen, EXCLUDED.first_seen),
                last_seen = GREATEST(g.last_seen, EXCLUDED.last_seen),
                services = CASE WHEN $7 = ANY (g.services) THEN g.services ELSE g.services || $7 END
            """);
        command.Parameters.AddWithValue(ErrorFingerprint.Of(report));
        command.Parameters.AddWithValue(report.Kind);
        command.Parameters.AddWithValue(ErrorFingerprint.Template(report.Message));
        command.Parameters.AddWithValue(report.Message);
        command.Parameters.AddWithValue((object?)report.Location ?? DBNull.Value);
        command.Parameters.AddWithValue(at);
        command.Parameters.AddWithValue(report.Service);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The reporter's view: groups with the most occurrences first.</summary>
    public async Task<IReadOnlyList<ErrorGroup>> ListAsync(CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand("""
            SELECT fingerprint, kind, template, sample, location, occurrences, first_seen, last_seen, services
            FROM resilience_error_groups ORDER BY occurrences DESC, last_seen DESC
            """);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var groups = new List<ErrorGroup>();
        while (await reader.ReadAsync(cancellationToken))
        {
            groups.Add(new ErrorGroup(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetString(4), reader.GetInt64(5),
                reader.GetFieldValue<DateTimeOffset>(6), reader.GetFieldValue<DateTimeOffset>(7), reader.GetFieldValue<string[]>(8)));
        }

        return groups;
    }
}

public sealed record ErrorGroup(string Fingerprint, string Kind, string Template, string Sample, string? Location,
    long Occurrences, DateTimeOffset FirstSeen, DateTimeOffset LastSeen, IReadOnlyList<string> Services);
