using Apex.Platform.Realtime.Heartbeat;
using Apex.Platform.Realtime.Hub;
using Microsoft.Extensions.Options;

namespace Apex.Platform.Realtime.Health;

/// <summary>Heartbeat figures over this instance's open connections, for health checks and metrics.</summary>
public sealed class HeartbeatStats(HubRegistry registry, TimeProvider time, IOptions<HubOptions> options)
{
    public int Stalled()
    {
        var now = time.GetUtcNow();
        return registry.All.Count(c => HeartbeatFeature.StateOf(c) is { } s && s.OutstandingSince is { } since && now - since >= options.Value.Heartbeat.StallAfter);
    }

    public TimeSpan? SlowestRoundTrip() =>
        registry.All.Select(c => HeartbeatFeature.StateOf(c)?.LastRoundTrip).Where(r => r is not null).Max();
}
