using Npgsql;

namespace Apex.Platform.Data.Coherency;

/// <summary>
/// Listens on a PostgreSQL channel fed by row triggers (<see cref="ChangeTriggers"/>) and tells
/// subscribers which row changed. Notifications sent while the listener is disconnected are lost
/// (PostgreSQL does not queue them for a session that is gone), so after every reconnect it raises
/// <see cref="Resynchronise"/>, which makes caches drop everything: LISTEN is issued first, so any
/// change after that point is notified and any change before it is covered by the full refresh.
/// </summary>
public sealed class ChangeNotificationListener(string connectionString, string channel, TimeProvider time, TimeSpan reconnectDelay) : IAsyncDisposable
{
    // A session of its own, never from the pool: Npgsql resets a pooled connection lazily (on its
    // next use), so a returned LISTEN session keeps receiving notifications while idle, and the next
    // listener to borrow it would replay stale ones - including changes it should have missed.
    private readonly string _connectionString = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString;

    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;

    public event Action<string, string>? Changed;

    public event Action? Resynchronise;

    public ListenerState State { get; private set; } = ListenerState.Stopped;

    /// <summary>The backend process of the listening session while connected (for operators and tests).</summary>
    public int BackendPid { get; private set; }

    public int Reconnects { get; private set; }

    public long Notifications => Interlocked.Read(ref _notifications);

    private long _notifications;

    /// <summary>Starts listening; returns once the first LISTEN is in place.</summary>
    public async Task StartAsync(CancellationToken ct)
    {
        var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _loop = Task.Run(() => RunAsync(listening, _stop.Token), CancellationToken.None);
        await listening.Task.WaitAsync(ct);
    }

    private async Task RunAsync(TaskCompletionSource firstListen, CancellationToken ct)
    {
        var first = true;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(_connectionString);
                await connection.OpenAsync(ct);
                connection.Notification += OnNotification;
                await using (var listen = new NpgsqlCommand($"LISTEN \"{channel}\"", connection)) await listen.ExecuteNonQueryAsync(ct);
                (BackendPid, State) = (connection.ProcessID, ListenerState.Listening);
                if (!first) Resynchronise?.Invoke();
                first = false;
                firstListen.TrySetResult();
                while (true) await connection.WaitAsync(ct);
            }
            catch (Exception e) when (!ct.IsCancellationRequested && e is NpgsqlException or IOException or InvalidOperationException)
            {
                // The session is gone (terminated, network, server restart): wait, then listen again.
                State = ListenerState.Reconnecting;
                Reconnects++;
                await Task.Delay(reconnectDelay, time, ct).ContinueWith(_ => { }, TaskScheduler.Default);
            }
            catch (Exception) when (ct.IsCancellationRequested)
            {
                break;
            }
        }

        State = ListenerState.Stopped;
    }

    private void OnNotification(object sender, NpgsqlNotificationEventArgs e)
    {
        var separator = e.Payload.IndexOf(':', StringComparison.Ordinal);
        if (separator <= 0) return;
        Interlocked.Increment(ref _notifications);
        Changed?.Invoke(e.Payload[..separator], e.Payload[(separator + 1)..]);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}

public enum ListenerState
{
    Stopped,
    Listening,
    Reconnecting,
}

/// <summary>The trigger that feeds the channel: <c>table:key</c> after every insert, update and delete.</summary>
public static class ChangeTriggers
{
    public static string For(string table, string keyColumn, string channel) => $"""
        CREATE OR REPLACE FUNCTION notify_{table}_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('{channel}', TG_TABLE_NAME || ':' || CASE WHEN TG_OP = 'DELETE' THEN OLD.{keyColumn} ELSE NEW.{keyColumn} END);
            RETURN NULL;
        END $$;
        CREATE OR REPLACE TRIGGER {table}_change AFTER INSERT OR UPDATE OR DELETE ON {table}
            FOR EACH ROW EXECUTE FUNCTION notify_{table}_change();
        """;
}
