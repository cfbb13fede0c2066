using System.Collections.Concurrent;
using System.Globalization;
using System.Threading.Channels;
using Apex.Coverage.Web.Data;
using Apex.Coverage.Web.Results;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Apex.Coverage.Web.Runs;

/// <summary>
/// Carries run updates and cancel requests between nodes that share a PostgreSQL store, through
/// LISTEN/NOTIFY on that store (no other server to run). Updates of runs executing here are sent
/// coalesced (one notification per run and kind per burst, so a run recording thousands of results
/// a second sends a few notifications, not thousands); updates from other nodes are published to
/// this node's <see cref="RunNotifier"/> marked <see cref="RunUpdate.FromAnotherNode"/>, so pages
/// and the coverage report here follow a run executing there. A cancel asked here for a run that
/// executes elsewhere reaches the node whose <see cref="ActiveRuns"/> holds it; a cancel of another
/// kind of run (a mutation run) reaches the handler that kind registered with <see cref="OnCancel"/>
/// on the node executing it (ADR 0280). On SQLite (one node) it does nothing. A lost listening
/// connection is opened again; what was notified while it was away is not replayed, pages read the
/// store when they open. ADR 0053.
/// </summary>
public sealed partial class RunRelay(
    IOptions<DataOptions> data,
    IOptions<NodeOptions> nodes,
    RunNotifier notifier,
    ActiveRuns active,
    TimeProvider time,
    ILogger<RunRelay> logger) : IHostedService, IAsyncDisposable
{
    public const string UpdatesChannel = "apex_run_updates";
    public const string CancelsChannel = "apex_run_cancels";

    /// <summary>The kind of a test run's cancel; other kinds name their own (payload "runId|kind|node").</summary>
    public const string TestRunCancel = "Cancel";

    private readonly Channel<RunUpdate> _outgoing = Channel.CreateUnbounded<RunUpdate>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<string, Action<long>> _cancelHandlers = new(StringComparer.Ordinal);
    private NpgsqlDataSource? _source;
    private IDisposable? _subscription;
    private Task _loops = Task.CompletedTask;
    private int _disposed;

    /// <summary>True when this node shares its store with others (PostgreSQL) and relays.</summary>
    public bool IsActive => _source is not null;

    private string Me => nodes.Value.Name;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (data.Value.Provider != StoreProvider.PostgreSql)
        {
            return Task.CompletedTask;
        }

        _source = NpgsqlDataSource.Create(data.Value.ConnectionString);
        _subscription = notifier.Subscribe(null, update =>
        {
            if (!update.FromAnotherNode && update.Kind != RunUpdateKind.Progress)
            {
                _outgoing.Writer.TryWrite(update);
            }
        });
        _loops = Task.WhenAll(Task.Run(() => ListenAsync(_stopping.Token)), Task.Run(() => SendAsync(_stopping.Token)));
        return Task.CompletedTask;
    }

    /// <summary>Asks every other node to stop test run <paramref name="runId"/> if it executes it; false when there are no other nodes.</summary>
    public Task<bool> RequestCancelAsync(long runId, CancellationToken cancellationToken) =>
        RequestCancelAsync(runId, TestRunCancel, cancellationToken);

    /// <summary>
    /// Asks every other node to stop the run of <paramref name="kind"/> numbered <paramref name="runId"/>
    /// (ids of different kinds of run may be equal); false when there are no other nodes.
    /// </summary>
    public async Task<bool> RequestCancelAsync(long runId, string kind, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(kind);
        if (kind.Contains('|', StringComparison.Ordinal))
        {
            throw new ArgumentException("A cancel kind cannot contain '|' (the payload's separator).", nameof(kind));
        }

        if (_source is null)
        {
            return false;
        }

        await NotifyAsync(CancelsChannel, Payload(runId, kind), cancellationToken);
        return true;
    }

    /// <summary>
    /// Where cancels of <paramref name="kind"/> sent by other nodes go on this node: <paramref name="stop"/>
    /// gets the run id and ignores runs it does not execute. Disposing the answer unregisters it.
    /// </summary>
    public IDisposable OnCancel(string kind, Action<long> stop)
    {
        if (kind == TestRunCancel || !_cancelHandlers.TryAdd(kind, stop))
        {
            throw new InvalidOperationException($"Cancels of kind '{kind}' already have a handler on this node.");
        }

        return new CancelRegistration(() => _cancelHandlers.TryRemove(new KeyValuePair<string, Action<long>>(kind, stop)));
    }

    private sealed class CancelRegistration(Action remove) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0) remove();
        }
    }

    private async Task SendAsync(CancellationToken stopping)
    {
        var reader = _outgoing.Reader;
        while (await WaitToReadAsync(reader, stopping))
        {
            var burst = new List<RunUpdate>();
            while (reader.TryRead(out var update))
            {
                burst.Add(update);
            }

            // The last of each (run, kind) keeps its place: receivers read the store, which is
            // at least as new as the burst.
            foreach (var update in burst.AsEnumerable().Reverse().DistinctBy(u => (u.RunId, u.Kind)).Reverse())
            {
                try
                {
                    await NotifyAsync(UpdatesChannel, Payload(update.RunId, update.Kind.ToString()), stopping);
                }
                catch (Exception error) when (error is not OperationCanceledException)
                {
                    LogSendFailed(error, update.RunId);
                }
            }
        }
    }

    private static async Task<bool> WaitToReadAsync(ChannelReader<RunUpdate> reader, CancellationToken stopping)
    {
        try
        {
            return await reader.WaitToReadAsync(stopping);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private async Task NotifyAsync(string channel, string payload, CancellationToken cancellationToken)
    {
        await using var command = _source!.CreateCommand("SELECT pg_notify(@channel, @payload)");
        command.Parameters.AddWithValue("channel", channel);
        command.Parameters.AddWithValue("payload", payload);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task ListenAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await using var connection = await _source!.OpenConnectionAsync(stopping);
                connection.Notification += (_, e) => Receive(e.Channel, e.Payload);
                await using (var listen = new NpgsqlCommand($"LISTEN {UpdatesChannel}; LISTEN {CancelsChannel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stopping);
                }

                while (true)
                {
                    await connection.WaitAsync(stopping);
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception error)
            {
                LogListenFailed(error);
                await DelayAsync(TimeSpan.FromSeconds(1), stopping);
            }
        }
    }

    private async Task DelayAsync(TimeSpan delay, CancellationToken stopping)
    {
        try
        {
            await Task.Delay(delay, time, stopping);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void Receive(string channel, string payload)
    {
        if (!TryParse(payload, out var runId, out var what, out var node) || node == Me)
        {
            return;
        }

        if (channel == CancelsChannel)
        {
            if (what == TestRunCancel)
            {
                active.Find(runId)?.Stop(StopReason.Canceled);
            }
            else if (_cancelHandlers.TryGetValue(what, out var stop))
            {
                stop(runId);
            }
        }
        else if (Enum.TryParse<RunUpdateKind>(what, out var kind))
        {
            notifier.Publish(new RunUpdate(runId, kind, null, FromAnotherNode: true));
        }
    }

    // "<run id>|<what>|<node>": the node name last, since it is the only free text.
    private string Payload(long runId, string what) => string.Create(CultureInfo.InvariantCulture, $"{runId}|{what}|{Me}");

    private static bool TryParse(string payload, out long runId, out string what, out string node)
    {
        var parts = payload.Split('|', 3);
        (what, node) = parts.Length == 3 ? (parts[1], parts[2]) : ("", "");
        return long.TryParse(parts[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out runId) && parts.Length == 3;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _disposed) == 1)
        {
            return;
        }

        _subscription?.Dispose();
        _outgoing.Writer.TryComplete();
        await _stopping.CancelAsync();
        await _loops.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    public async ValueTask DisposeAsync()
    {
        // The container disposes it twice: as itself and as the hosted service resolved from it.
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _subscription?.Dispose();
        await _stopping.CancelAsync();
        await _loops.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (_source is not null)
        {
            await _source.DisposeAsync();
        }

        // _stopping is not disposed: a host disposed while starting stops its services after
        // disposing them, and a token source without timers holds nothing to release.
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId}: the update could not be sent to the other nodes")]
    private partial void LogSendFailed(Exception error, long runId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Listening to the other nodes failed; listening again")]
    private partial void LogListenFailed(Exception error);
}
