using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Apex.Platform.Realtime.Health;
using Microsoft.Extensions.DependencyInjection;

namespace Apex.Integration.WebSocketRealtime;

/// <summary>
/// Listens to the "Apex.Realtime" meter of one platform instance (its IMeterFactory is the meter's
/// scope), so measurements from other instances in this process are not mixed in.
/// </summary>
public sealed class MetricsProbe : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<(string Instrument, double Value, string? Reason)> _measurements = new();

    public MetricsProbe(IServiceProvider services)
    {
        var scope = services.GetRequiredService<IMeterFactory>();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == HubMetrics.MeterName && ReferenceEquals(instrument.Meter.Scope, scope)) listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<int>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, v, tags));
        _listener.Start();
    }

    /// <summary>The latest value of an observable instrument, observed now.</summary>
    public double Observe(string instrument)
    {
        _listener.RecordObservableInstruments();
        return _measurements.Where(m => m.Instrument == instrument).Select(m => m.Value).LastOrDefault(double.NaN);
    }

    /// <summary>The sum of a counter's increments (with the given reason tag, when named) since the probe started.</summary>
    public double Sum(string instrument, string? reason = null) =>
        _measurements.Where(m => m.Instrument == instrument && (reason is null || m.Reason == reason)).Sum(m => m.Value);

    public IReadOnlyList<double> Values(string instrument) => _measurements.Where(m => m.Instrument == instrument).Select(m => m.Value).ToList();

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        string? reason = null;
        foreach (var tag in tags)
        {
            if (tag.Key == "reason") reason = tag.Value?.ToString();
        }

        _measurements.Enqueue((instrument.Name, value, reason));
    }

    public void Dispose() => _listener.Dispose();
}
