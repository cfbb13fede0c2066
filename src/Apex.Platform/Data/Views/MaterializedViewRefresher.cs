using System.Text.RegularExpressions;
using Npgsql;

namespace Apex.Platform.Data.Views;

/// <summary>
/// Keeps materialized views fresh on a schedule of the platform clock. Each refresh is
/// <c>REFRESH MATERIALIZED VIEW CONCURRENTLY</c> — readers keep reading the previous content
/// meanwhile (it takes an EXCLUSIVE lock, which SELECT does not conflict with; a plain refresh
/// takes ACCESS EXCLUSIVE and blocks them) and only changed rows are rewritten — and is then
/// validated in the same snapshot against the view's own defining query from pg_matviews.
/// </summary>
public sealed partial class MaterializedViewRefresher(NpgsqlDataSource dataSource, TimeProvider time) : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly List<RefreshResult> _history = [];
    private Task _schedule = Task.CompletedTask;

    /// <summary>Every refresh so far, oldest first.</summary>
    public IReadOnlyList<RefreshResult> History
    {
        get
        {
            lock (_history) return [.. _history];
        }
    }

    public async Task<RefreshResult> RefreshAsync(string view, CancellationToken ct)
    {
        var result = await InSnapshotAsync(view, refresh: true, ct);
        lock (_history) _history.Add(result);
        return result;
    }

    /// <summary>Compares the view with its defining query without refreshing it: a stale view shows differences.</summary>
    public Task<RefreshResult> ValidateAsync(string view, CancellationToken ct) => InSnapshotAsync(view, refresh: false, ct);

    private async Task<RefreshResult> InSnapshotAsync(string view, bool refresh, CancellationToken ct)
    {
        if (!Identifier().IsMatch(view)) throw new ArgumentException($"'{view}' is not a plain view name.", nameof(view));
        var started = time.GetTimestamp();
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        // Repeatable read: the refresh and the validation see the same snapshot of the base tables.
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
        var definition = await ScalarAsync<string>(connection, $"SELECT definition FROM pg_matviews WHERE matviewname = '{view}' AND schemaname = current_schema()", ct)
            ?? throw new InvalidOperationException($"There is no materialized view '{view}' in the current schema.");
        if (refresh) await ScalarAsync<object>(connection, $"REFRESH MATERIALIZED VIEW CONCURRENTLY {view}", ct);
        var source = definition.TrimEnd().TrimEnd(';');
        var differences = await ScalarAsync<long>(connection,
            $"SELECT count(*) FROM ((TABLE {view} EXCEPT ALL ({source})) UNION ALL (({source}) EXCEPT ALL TABLE {view})) AS d", ct);
        var rows = await ScalarAsync<long>(connection, $"SELECT count(*) FROM {view}", ct);
        await transaction.CommitAsync(ct);
        return new RefreshResult(view, time.GetUtcNow(), rows, differences, time.GetElapsedTime(started));
    }

    /// <summary>Refreshes <paramref name="views"/> every <paramref name="interval"/> of the platform clock until disposed.</summary>
    public void Schedule(IReadOnlyList<string> views, TimeSpan interval, Action<string, Exception> onError)
    {
        // Created here, not in the loop: the first tick is one interval after this call.
        var timer = new PeriodicTimer(interval, time);
        _schedule = Task.Run(async () =>
        {
            using var owned = timer;
            while (await timer.WaitForNextTickAsync(_stop.Token).AsTask().ContinueWith(t => t.IsCompletedSuccessfully && t.Result, TaskScheduler.Default))
            {
                foreach (var view in views)
                {
                    try
                    {
                        await RefreshAsync(view, _stop.Token);
                    }
                    catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
                    {
                        onError(view, e);
                    }
                }
            }
        });
    }

    private static async Task<T?> ScalarAsync<T>(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        var value = await command.ExecuteScalarAsync(ct);
        return value is null or DBNull ? default : (T)value;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _schedule;
        _stop.Dispose();
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex Identifier();
}

/// <summary>One refresh: when it finished, the view's row count, how many rows differ from its defining query (0 = valid), how long it took.</summary>
public sealed record RefreshResult(string View, DateTimeOffset At, long Rows, long Differences, TimeSpan Elapsed)
{
    public bool Valid => Differences == 0;
}
