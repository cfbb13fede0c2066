using Apex.Platform.Realtime.Health;
using Apex.Platform.Realtime.Hub;
using Microsoft.Extensions.Options;

namespace Apex.Platform.Realtime.Heartbeat;

/// <summary>
/// Application-level ping/pong on the platform clock: a ping every interval; a pong measures the
/// round trip and sets the next interval (ten round trips, within MinInterval..MaxInterval); a
/// ping unanswered past StallAfter marks the connection stalled, past PongTimeout closes it (4408).
/// WebSocket control-frame pings would be answered by the client's network stack alone and
/// timed by the wall clock; these are answered by the application and timed by TimeProvider.
/// </summary>
public sealed class HeartbeatFeature(IOptions<HubOptions> options, TimeProvider time, HubMetrics metrics) : IHubConnectionFeature, IHubHandler
{
    private const string Key = "heartbeat";

    private HeartbeatOptions Settings => options.Value.Heartbeat;

    public IReadOnlyCollection<string> Types { get; } = [HubFrameTypes.Pong];

    public static HeartbeatState? StateOf(HubConnection connection) => connection.Items.GetValueOrDefault(Key) as HeartbeatState;

    public Task OnOpenedAsync(HubConnection connection, HubHandshake handshake)
    {
        var state = new HeartbeatState { Interval = Settings.Interval };
        connection.Items[Key] = state;
        state.Timer = time.CreateTimer(_ => Tick(connection, state), null, state.Interval, Timeout.InfiniteTimeSpan);
        return Task.CompletedTask;
    }

    public async Task OnClosedAsync(HubConnection connection)
    {
        if (StateOf(connection)?.Timer is { } timer) await timer.DisposeAsync();
    }

    public Task HandleAsync(HubMessage message)
    {
        if (StateOf(message.Connection) is not { } state) return Task.CompletedTask;
        lock (state)
        {
            if (state.OutstandingSince is not { } since || message.Frame.Seq != state.PingSeq) return Task.CompletedTask;
            var rtt = time.GetUtcNow() - since;
            state.OutstandingSince = null;
            state.LastRoundTrip = rtt;
            state.Interval = TimeSpan.FromTicks(Math.Clamp(rtt.Ticks * 10, Settings.MinInterval.Ticks, Settings.MaxInterval.Ticks));
            state.Timer?.Change(state.Interval, Timeout.InfiniteTimeSpan);
            metrics.RoundTrip(rtt);
        }

        return Task.CompletedTask;
    }

    private void Tick(HubConnection connection, HeartbeatState state)
    {
        lock (state)
        {
            var now = time.GetUtcNow();
            if (state.OutstandingSince is { } since)
            {
                var waited = now - since;
                if (waited >= Settings.PongTimeout)
                {
                    connection.Close(HubCloseCodes.HeartbeatTimeout, "No pong within the heartbeat timeout.", "heartbeat-timeout");
                    return;
                }

                state.Timer?.Change(Settings.PongTimeout - waited, Timeout.InfiniteTimeSpan);
                return;
            }

            state.PingSeq++;
            state.OutstandingSince = now;
            connection.Send(HubFrame.Of(HubFrameTypes.Ping, new { intervalMs = (long)state.Interval.TotalMilliseconds }, seq: state.PingSeq));
            state.Timer?.Change(TimeSpan.FromTicks(Math.Min(Settings.StallAfter.Ticks, Settings.PongTimeout.Ticks)), Timeout.InfiniteTimeSpan);
        }
    }
}

/// <summary>One connection's heartbeat; guarded by locking on it.</summary>
public sealed class HeartbeatState
{
    public TimeSpan Interval { get; set; }

    public long PingSeq { get; set; }

    public DateTimeOffset? OutstandingSince { get; set; }

    public TimeSpan? LastRoundTrip { get; set; }

    public ITimer? Timer { get; set; }
}
