namespace Apex.Platform.Data.Monitoring;

/// <summary>
/// One reading of the database's own statistics: sessions by state and the connection limit
/// (<c>pg_stat_activity</c>, <c>pg_database</c>), the longest running query, and the cumulative
/// counters of <c>pg_stat_database</c>.
/// </summary>
public sealed record DatabaseSample(
    DateTimeOffset At,
    string Database,
    IReadOnlyDictionary<string, long> ConnectionsByState,
    long ConnectionLimit,
    RunningQuery? LongestQuery,
    long Commits,
    long Rollbacks,
    long Deadlocks,
    double CacheHitRatio)
{
    public long Connections => ConnectionsByState.Values.Sum();

    public double Saturation => ConnectionLimit > 0 ? (double)Connections / ConnectionLimit : 0;
}

public sealed record RunningQuery(int Pid, string ApplicationName, string Query, TimeSpan Running);

public enum AlertKind
{
    LongRunningQuery,
    ConnectionSaturation,
}

/// <summary>A threshold crossed (or, with <see cref="Resolved"/>, no longer crossed); the message names what and how much.</summary>
public sealed record DatabaseAlert(DateTimeOffset At, AlertKind Kind, string Message, double Value, double Threshold, bool Resolved);

public sealed record DatabaseMonitorOptions(TimeSpan LongRunningQuery, double SaturationRatio);
