using Npgsql;

namespace Apex.Platform.Data.Locks;

/// <summary>
/// Names who blocks whom in the current database: each session waiting on a lock (an ungranted
/// row of <c>pg_locks</c>), the lock it waits for, and the sessions holding it
/// (<c>pg_blocking_pids</c>), with what each is running.
/// </summary>
/// <remarks>
/// The locks are read first and the sessions after, in two statements. A session reports its
/// statement before it asks for the lock, so sessions read after its lock wait always show the
/// statement that waits. Read together in one statement, PostgreSQL may take its snapshot of
/// <c>pg_stat_activity</c> first and show the blocked session's previous statement.
/// </remarks>
public sealed class LockMonitor(NpgsqlDataSource dataSource)
{
    private const string WaitingQuery = """
        SELECT pid, locktype, mode, coalesce(relation::regclass::text, ''), pg_blocking_pids(pid)
        FROM pg_locks WHERE NOT granted ORDER BY pid
        """;

    private const string SessionsQuery = """
        SELECT pid, coalesce(application_name, ''), coalesce(state, ''), coalesce(query, ''),
               datname = current_database(), coalesce(extract(epoch FROM now() - query_start), 0)
        FROM pg_stat_activity WHERE pid = ANY(@pids)
        """;

    public async Task<IReadOnlyList<LockWait>> WaitsAsync(CancellationToken ct)
    {
        var waiting = await WaitingAsync(ct);
        if (waiting.Count == 0) return [];
        var sessions = await SessionsAsync([.. waiting.SelectMany(w => w.Blockers.Append(w.Pid)).Distinct()], ct);
        return
        [
            .. from wait in waiting
               where sessions.TryGetValue(wait.Pid, out var blocked) && blocked.InThisDatabase
               from blocker in wait.Blockers.Order()
               where sessions.ContainsKey(blocker)
               select new LockWait(sessions[wait.Pid].Session, sessions[blocker].Session, wait.LockType, wait.Mode, wait.Relation, sessions[wait.Pid].Running),
        ];
    }

    private async Task<List<Waiting>> WaitingAsync(CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(WaitingQuery);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var waiting = new List<Waiting>();
        while (await reader.ReadAsync(ct))
        {
            waiting.Add(new Waiting(reader.GetInt32(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetFieldValue<int[]>(4)));
        }

        return waiting;
    }

    private async Task<Dictionary<int, SessionRow>> SessionsAsync(int[] pids, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(SessionsQuery);
        command.Parameters.AddWithValue("pids", pids);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var sessions = new Dictionary<int, SessionRow>();
        while (await reader.ReadAsync(ct))
        {
            var session = new LockSession(reader.GetInt32(0), reader.GetString(1), reader.GetString(2), reader.GetString(3));
            var inThisDatabase = !reader.IsDBNull(4) && reader.GetBoolean(4);
            sessions[session.Pid] = new SessionRow(session, inThisDatabase, TimeSpan.FromSeconds((double)reader.GetDecimal(5)));
        }

        return sessions;
    }

    private sealed record Waiting(int Pid, string LockType, string Mode, string Relation, int[] Blockers);

    private sealed record SessionRow(LockSession Session, bool InThisDatabase, TimeSpan Running);
}

public sealed record LockSession(int Pid, string ApplicationName, string State, string Query);

/// <summary>One blocked session, the session blocking it, and the lock between them (type, mode, relation if any).</summary>
public sealed record LockWait(LockSession Blocked, LockSession Blocking, string LockType, string Mode, string Relation, TimeSpan Waiting);
