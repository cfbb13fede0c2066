using System.Diagnostics.Metrics;
using Apex.Platform.Realtime.Hub;

namespace Apex.Platform.Realtime.Health;

/// <summary>
/// The hub's instruments (meter "Apex.Realtime"), created through the host's IMeterFactory so each
/// platform instance has its own meter and listeners can tell instances apart.
/// </summary>
public sealed class HubMetrics
{
    public const string MeterName = "Apex.Realtime";

    private readonly Counter<long> _refused;
    private readonly Counter<long> _disconnects;
    private readonly Counter<long> _throttled;
    private readonly Histogram<double> _roundTrip;

    public HubMetrics(IMeterFactory meters, HubRegistry registry, HeartbeatStats heartbeats)
    {
        var meter = meters.Create(MeterName);
        meter.CreateObservableUpDownCounter("apex.realtime.connections", () => registry.Count, description: "Hub WebSockets open on this instance.");
        meter.CreateObservableGauge("apex.realtime.connections.stalled", () => heartbeats.Stalled(), description: "Connections whose last ping is unanswered past StallAfter.");
        _refused = meter.CreateCounter<long>("apex.realtime.connections.refused", description: "Handshakes refused by a connection limit.");
        _disconnects = meter.CreateCounter<long>("apex.realtime.disconnects", description: "Connections ended, by reason.");
        _throttled = meter.CreateCounter<long>("apex.realtime.messages.throttled", description: "Inbound frames refused by the per-connection rate limit.");
        _roundTrip = meter.CreateHistogram<double>("apex.realtime.heartbeat.rtt", unit: "ms", description: "Ping to pong round trip.");
    }

    public void Refused(string reason) => _refused.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void Disconnected(string reason) => _disconnects.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void Throttled() => _throttled.Add(1);

    public void RoundTrip(TimeSpan rtt) => _roundTrip.Record(rtt.TotalMilliseconds);
}
