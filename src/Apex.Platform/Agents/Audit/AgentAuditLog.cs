using Npgsql;

namespace Apex.Platform.Agents.Audit;

public sealed record AuditEntry(long Seq, Guid TenantId, Guid? RunId, string Actor, string Action, string Detail, DateTimeOffset At, string Hash);

/// <summary>Which entries of a tenant to read: optionally one run, optionally a time window [From, To).</summary>
public sealed record AuditQuery(Guid TenantId, Guid? RunId = null, DateTimeOffset? From = null, DateTimeOffset? To = null);

/// <summary>Whether a tenant's chain still holds; if not, the first entry where it breaks.</summary>
public sealed record ChainVerification(bool Intact, int Entries, long? BrokenAt, string? Reason, string? HeadHash);

public sealed record AuditReport(
    Guid TenantId, DateTimeOffset? From, DateTimeOffset? To, int Entries, int Runs,
    IReadOnlyDictionary<string, int> ByAction, IReadOnlyDictionary<string, int> ByActor, ChainVerification Chain);

/// <summary>
/// The audit trail's logger, query engine and reporter. Actions of runs are appended by the
/// database's triggers (<see cref="AgentAuditSchema"/>); other agent actions (a configuration
/// applied, an output refused) are appended here, through the same chaining trigger.
/// </summary>
public sealed class AgentAuditLog(NpgsqlDataSource dataSource, TimeProvider time)
{
    public async Task AppendAsync(Guid tenantId, Guid? runId, string actor, string action, string detail, CancellationToken cancellationToken)
    {
        await using var command = Command(
            "INSERT INTO agent_audit (tenant_id, run_id, actor, action, detail, at) VALUES ($1, $2, $3, $4, $5, $6)",
            tenantId, (object?)runId ?? DBNull.Value, actor, action, detail, time.GetUtcNow());
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<AuditEntry>> QueryAsync(AuditQuery query, CancellationToken cancellationToken)
    {
        await using var command = Command("""
            SELECT seq, tenant_id, run_id, actor, action, detail, at, encode(hash, 'hex') FROM agent_audit
            WHERE tenant_id = $1 AND ($2::uuid IS NULL OR run_id = $2) AND ($3::timestamptz IS NULL OR at >= $3) AND ($4::timestamptz IS NULL OR at < $4)
            ORDER BY seq
            """, query.TenantId, Nullable(query.RunId), Nullable(query.From), Nullable(query.To));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var entries = new List<AuditEntry>();
        while (await reader.ReadAsync(cancellationToken))
        {
            entries.Add(new AuditEntry(reader.GetInt64(0), reader.GetGuid(1), reader.IsDBNull(2) ? null : reader.GetGuid(2), reader.GetString(3),
                reader.GetString(4), reader.GetString(5), reader.GetFieldValue<DateTimeOffset>(6), reader.GetString(7)));
        }

        return entries;
    }

    /// <summary>
    /// Recomputes the tenant's chain: each entry must point at its predecessor's hash and its own
    /// hash must match its fields. An entry altered behind the triggers' back fails one of the two.
    /// </summary>
    public async Task<ChainVerification> VerifyAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        await using var command = Command("""
            SELECT seq, prev_hash = coalesce(lag(hash) OVER (ORDER BY seq), ''::bytea), hash = sha256(prev_hash || agent_audit_canonical(a)), encode(hash, 'hex')
            FROM agent_audit a WHERE tenant_id = $1 ORDER BY seq
            """, tenantId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var (entries, head) = (0, (string?)null);
        while (await reader.ReadAsync(cancellationToken))
        {
            entries++;
            head = reader.GetString(3);
            if (!reader.GetBoolean(1) || !reader.GetBoolean(2))
            {
                var reason = reader.GetBoolean(2) ? "it does not link to the previous entry's hash" : "its hash does not match its contents";
                return new ChainVerification(false, entries, reader.GetInt64(0), $"Entry {reader.GetInt64(0)} was altered: {reason}.", null);
            }
        }

        return new ChainVerification(true, entries, null, null, head);
    }

    public async Task<AuditReport> ReportAsync(AuditQuery query, CancellationToken cancellationToken)
    {
        var entries = await QueryAsync(query, cancellationToken);
        return new AuditReport(query.TenantId, query.From, query.To, entries.Count, entries.Where(e => e.RunId is not null).Select(e => e.RunId).Distinct().Count(),
            Count(entries, e => e.Action), Count(entries, e => e.Actor), await VerifyAsync(query.TenantId, cancellationToken));
    }

    private static SortedDictionary<string, int> Count(IEnumerable<AuditEntry> entries, Func<AuditEntry, string> key) =>
        new(entries.GroupBy(key).ToDictionary(g => g.Key, g => g.Count()), StringComparer.Ordinal);

    private static object Nullable<T>(T? value) where T : struct => value is { } present ? present : DBNull.Value;

    private NpgsqlCommand Command(string sql, params object[] values)
    {
        var command = dataSource.CreateCommand(sql);
        foreach (var value in values) command.Parameters.Add(new NpgsqlParameter { Value = value });
        return command;
    }
}
