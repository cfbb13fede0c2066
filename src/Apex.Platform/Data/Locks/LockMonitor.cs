using Npgsql;

namespace Apex.Platform.Data.Locks;

/// <summary>
/// Names who blocks whom in the current database: each session waiting on a lock (an ungranted
/// row of <c>pg_locks</c>), the lock it waits for, and the sessions holding it
/// (<c>pg_blocking_pids</c>), with what each is running.
/// </summary>
public sealed class LockMonitor(NpgsqlDataSource dataSource)
{
    private const string Query = """
        SELECT waiting.pid, waiting.locktype, waiting.mode, coalesce(waiting.relation::regclass::text, ''),
               blocked.application_name, blocked.query,
               blocker.pid, blocker.application_name, blocker.state, blocker.query,
               extract(epoch FROM now() - blocked.query_start)
        FROM pg_locks waiting
        JOIN pg_stat_activity blocked ON blocked.pid = waiting.pid
        CROSS JOIN LATERAL unnest(pg_blocking_pids(waiting.pid)) AS holder(pid)
        JOIN pg_stat_activity blocker ON blocker.pid = holder.pid
        WHERE NOT waiting.granted AND blocked.datname = current_database()
        ORDER BY waiting.pid, blocker.pid
        """;

    public async Task<IReadOnlyList<LockWait>> WaitsAsync(CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(Query);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var waits = new List<LockWait>();
        while (await reader.ReadAsync(ct))
        {
            waits.Add(new LockWait(
                new LockSession(reader.GetInt32(0), reader.GetString(4), "active", reader.GetString(5)),
                new LockSession(reader.GetInt32(6), reader.GetString(7), reader.GetString(8), reader.GetString(9)),
                reader.GetString(1), reader.GetString(2), reader.GetString(3), TimeSpan.FromSeconds((double)reader.GetDecimal(10))));
        }

        return waits;
    }
}

public sealed record LockSession(int Pid, string ApplicationName, string State, string Query);

/// <summary>One blocked session, the session blocking it, and the lock between them (type, mode, relation if any).</summary>
public sealed record LockWait(LockSession Blocked, LockSession Blocking, string LockType, string Mode, string Relation, TimeSpan Waiting);
