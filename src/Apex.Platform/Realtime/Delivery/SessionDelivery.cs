using System.Threading.Channels;
using Apex.Platform.Realtime.Hub;

namespace Apex.Platform.Realtime.Delivery;

/// <summary>
/// Sends a connection its session's buffered messages in sequence order: first what it missed
/// (from the sequence it resumed at), then whatever is routed to the session while it is open.
/// When what it missed is older than the buffer, it says so with a resync frame before going on:
/// a client is never silently short of messages. It sends at the client's pace (the messages wait in
/// the session log, not in memory), so a backlog larger than the send queue never overflows it.
/// </summary>
public sealed class SessionDelivery(HubSessions sessions) : IHubConnectionFeature
{
    private const string Key = "delivery";

    public static void Wake(HubConnection connection)
    {
        if (connection.Items.TryGetValue(Key, out var state)) ((State)state).Wake.Writer.TryWrite(true);
    }

    /// <summary>The last sequence number sent on this connection.</summary>
    public static long LastSent(HubConnection connection) =>
        connection.Items.TryGetValue(Key, out var state) ? Interlocked.Read(ref ((State)state).LastSent) : 0;

    public async Task OnOpenedAsync(HubConnection connection, HubHandshake handshake)
    {
        // A new session's log started empty when the handshake made it, so everything in it is unsent:
        // messages routed between the welcome frame and this call are delivered, not skipped as "already sent".
        var from = handshake.LastSeq ?? (handshake.Resumed ? await sessions.AckedAsync(connection.SessionId) : 0);
        var state = new State { LastSent = from };
        connection.Items[Key] = state;
        state.Wake.Writer.TryWrite(true);
        state.Loop = Task.Run(() => RunAsync(connection, state));
    }

    public async Task OnClosedAsync(HubConnection connection)
    {
        if (connection.Items.TryGetValue(Key, out var state) && ((State)state).Loop is { } loop) await loop;
    }

    private async Task RunAsync(HubConnection connection, State state)
    {
        try
        {
            while (await state.Wake.Reader.WaitToReadAsync(connection.Lifetime))
            {
                state.Wake.Reader.TryRead(out _);
                await DrainAsync(connection, state);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or StackExchange.Redis.RedisException)
        {
            // The connection ended, or Redis is gone: the client resumes from its last sequence later.
        }
    }

    private async Task DrainAsync(HubConnection connection, State state)
    {
        var (oldest, newest) = await sessions.RangeAsync(connection.SessionId);
        if (newest > state.LastSent && oldest > state.LastSent + 1)
        {
            connection.Send(HubFrame.Of(HubFrameTypes.Resync, new { lastSeq = state.LastSent, oldestAvailable = oldest, newest }));
            state.LastSent = oldest - 1;
        }

        while (connection.IsOpen)
        {
            var frames = await sessions.ReadAfterAsync(connection.SessionId, state.LastSent);
            if (frames.Count == 0) return;
            foreach (var frame in frames)
            {
                if (!await connection.SendPacedAsync(frame with { Type = HubFrameTypes.Message, Data = Wrap(frame) })) return;
                Interlocked.Exchange(ref state.LastSent, frame.Seq!.Value);
            }
        }
    }

    // The routed message's own type travels inside, so "message" frames are all sequenced alike.
    private static System.Text.Json.JsonElement Wrap(HubFrame frame) =>
        System.Text.Json.JsonSerializer.SerializeToElement(new { type = frame.Type, body = frame.Data }, HubFrame.Json);

    private sealed class State
    {
        public long LastSent;

        public Channel<bool> Wake { get; } = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

        public Task? Loop { get; set; }
    }
}
