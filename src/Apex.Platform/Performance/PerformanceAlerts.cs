using System.Collections.Concurrent;

namespace Apex.Platform.Performance;

/// <summary>A finding the performance monitors raise: what kind, about which component, and the evidence.</summary>
public sealed record PerformanceAlert(string Kind, string Component, string Detail, DateTimeOffset RaisedAt);

/// <summary>
/// Where the leak detector, the allocation-regression detector and the hotspot analyzer report:
/// logged as a warning (what operators already watch) and kept for the performance report.
/// </summary>
public sealed class PerformanceAlerts(ILogger<PerformanceAlerts> logger, TimeProvider time)
{
    private readonly ConcurrentQueue<PerformanceAlert> _raised = new();

    public IReadOnlyList<PerformanceAlert> Raised => [.. _raised];

    public PerformanceAlert Raise(string kind, string component, string detail)
    {
        var alert = new PerformanceAlert(kind, component, detail, time.GetUtcNow());
        _raised.Enqueue(alert);
        logger.LogWarning("Performance alert {Kind} on {Component}: {Detail}", kind, component, detail);
        return alert;
    }
}
