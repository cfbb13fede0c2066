using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Apex.Platform.Caching.Pressure;

/// <summary>
/// Where the cache raises alerts for operators: logged as errors, counted on the platform's meter
/// (for alerting rules), and kept (the latest 100) for the admin view.
/// </summary>
public sealed class CacheAlerts(IMeterFactory meters, ILogger<CacheAlerts> logger)
{
    private const int Kept = 100;
    private readonly ConcurrentQueue<CacheAlert> _alerts = new();
    private readonly Counter<long> _raised = meters.Create(Metrics.CacheMetrics.MeterName).CreateCounter<long>("apex.cache.alerts");

    public IReadOnlyList<CacheAlert> Recent => [.. _alerts];

    public event Action<CacheAlert>? Raised;

    public void Raise(CacheAlert alert)
    {
        _alerts.Enqueue(alert);
        while (_alerts.Count > Kept) _alerts.TryDequeue(out _);
        _raised.Add(1, new KeyValuePair<string, object?>("kind", alert.Kind));
        logger.LogError("Cache alert {Kind}: {Message}", alert.Kind, alert.Message);
        Raised?.Invoke(alert);
    }
}

public sealed record CacheAlert(string Kind, string Message, DateTimeOffset At);
