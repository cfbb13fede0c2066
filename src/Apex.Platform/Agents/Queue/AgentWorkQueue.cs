using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Apex.Platform.Agents.Queue;

/// <summary>The agent work queue's scheduling: how fast waiting work gains priority.</summary>
public sealed class AgentQueueOptions
{
    public const string SectionName = "Platform:Agents:Queue";

    /// <summary>
    /// Waiting this long raises an item's effective priority by one, so low-priority work is never
    /// starved by a steady stream of high-priority work: after (difference x step) it goes first.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00", ErrorMessage = "Platform:Agents:Queue:AgingStep must be between 1 ms and 1 day.")]
    public TimeSpan AgingStep { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>Work taken from the queue by one worker; nobody else can take it until it is completed or released.</summary>
public sealed record QueuedWork(long Id, Guid TenantId, int Priority, string Payload, DateTimeOffset EnqueuedAt, int EffectivePriority);

public sealed record QueueStats(int Queued, int Claimed, int Done, DateTimeOffset? OldestQueuedAt);

/// <summary>
/// A priority queue of agent work in PostgreSQL. Workers on any platform instance claim with
/// <c>FOR UPDATE SKIP LOCKED</c>, so each item goes to exactly one worker without blocking the
/// others. The order is by effective priority: priority plus one per <see cref="AgentQueueOptions.AgingStep"/>
/// waited, then first come first served.
/// </summary>
public sealed class AgentWorkQueue(NpgsqlDataSource dataSource, TimeProvider time, IOptions<AgentQueueOptions> options)
{
    public const string Schema = """
        CREATE TABLE IF NOT EXISTS agent_work_queue (
            id bigserial PRIMARY KEY,
            queue text NOT NULL,
            tenant_id uuid NOT NULL,
            priority int NOT NULL,
            payload text NOT NULL,
            status text NOT NULL DEFAULT 'queued',
            enqueued_at timestamptz NOT NULL,
            claimed_by text,
            claimed_at timestamptz,
            done_at timestamptz);
        CREATE INDEX IF NOT EXISTS agent_work_queue_queued ON agent_work_queue (queue, enqueued_at) WHERE status = 'queued';
        """;

    // Aging as whole steps waited, computed against the caller's clock so the order is reproducible.
    private const string EffectivePriority = "priority + floor(extract(epoch FROM ($1 - enqueued_at)) * 1000 / $2)::int";

    public async Task<long> EnqueueAsync(string queue, Guid tenantId, int priority, string payload, CancellationToken cancellationToken)
    {
        await using var command = Command(
            "INSERT INTO agent_work_queue (queue, tenant_id, priority, payload, enqueued_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
            queue, tenantId, priority, payload, time.GetUtcNow());
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>Takes the most urgent waiting item for <paramref name="worker"/>, or null when none waits.</summary>
    public async Task<QueuedWork?> ClaimAsync(string queue, string worker, CancellationToken cancellationToken)
    {
        await using var command = Command($"""
            WITH next AS (
                SELECT id, {EffectivePriority} AS effective FROM agent_work_queue
                WHERE status = 'queued' AND queue = $4
                ORDER BY effective DESC, id
                LIMIT 1
                FOR UPDATE SKIP LOCKED)
            UPDATE agent_work_queue q SET status = 'claimed', claimed_by = $3, claimed_at = $1
            FROM next WHERE q.id = next.id
            RETURNING q.id, q.tenant_id, q.priority, q.payload, q.enqueued_at, next.effective
            """, time.GetUtcNow(), (long)options.Value.AgingStep.TotalMilliseconds, worker, queue);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new QueuedWork(reader.GetInt64(0), reader.GetGuid(1), reader.GetInt32(2), reader.GetString(3), reader.GetFieldValue<DateTimeOffset>(4), reader.GetInt32(5))
            : null;
    }

    public async Task CompleteAsync(long id, CancellationToken cancellationToken)
    {
        await using var command = Command("UPDATE agent_work_queue SET status = 'done', done_at = $2 WHERE id = $1 AND status = 'claimed'", id, time.GetUtcNow());
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Puts a claimed item back (its worker failed), keeping its place by age.</summary>
    public async Task ReleaseAsync(long id, CancellationToken cancellationToken)
    {
        await using var command = Command("UPDATE agent_work_queue SET status = 'queued', claimed_by = NULL, claimed_at = NULL WHERE id = $1 AND status = 'claimed'", id);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<QueueStats> StatsAsync(string queue, CancellationToken cancellationToken)
    {
        await using var command = Command("""
            SELECT count(*) FILTER (WHERE status = 'queued'), count(*) FILTER (WHERE status = 'claimed'),
                   count(*) FILTER (WHERE status = 'done'), min(enqueued_at) FILTER (WHERE status = 'queued')
            FROM agent_work_queue WHERE queue = $1
            """, queue);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new QueueStats((int)reader.GetInt64(0), (int)reader.GetInt64(1), (int)reader.GetInt64(2),
            reader.IsDBNull(3) ? null : reader.GetFieldValue<DateTimeOffset>(3));
    }

    private NpgsqlCommand Command(string sql, params object[] values)
    {
        var command = dataSource.CreateCommand(sql);
        foreach (var value in values) command.Parameters.Add(new NpgsqlParameter { Value = value });
        return command;
    }
}
