using System.Diagnostics.Metrics;
using Npgsql;

namespace Apex.Platform.Data.Monitoring;

/// <summary>
/// Samples the current database's statistics on a schedule of the platform clock, publishes them
/// as System.Diagnostics.Metrics instruments (meter <see cref="MeterName"/>, tagged with the
/// database; any OpenTelemetry or Prometheus exporter can subscribe, as it can to Npgsql's own
/// pool meter), and raises an alert when a threshold is crossed — a query running too long, the
/// connection limit nearly reached — and a resolution when it is no longer crossed. An alert is
/// raised once per crossing, not at every sample.
/// </summary>
public sealed class DatabaseMonitor : IAsyncDisposable
{
    public const string MeterName = "Apex.Platform.Data.Monitoring";

    private const string ActivitySql = """
        SELECT coalesce(state, 'unknown'), count(*) FROM pg_stat_activity
        WHERE datname = current_database() AND backend_type = 'client backend' AND pid <> pg_backend_pid() GROUP BY 1
        """;

    private const string LongestSql = """
        SELECT pid, application_name, query, extract(epoch FROM now() - query_start) FROM pg_stat_activity
        WHERE datname = current_database() AND state = 'active' AND backend_type = 'client backend' AND pid <> pg_backend_pid()
        ORDER BY query_start LIMIT 1
        """;

    private const string StatsSql = """
        SELECT CASE WHEN d.datconnlimit >= 0 THEN d.datconnlimit ELSE current_setting('max_connections')::int END,
               s.xact_commit, s.xact_rollback, s.deadlocks, coalesce(s.blks_hit::float8 / nullif(s.blks_hit + s.blks_read, 0), 1)
        FROM pg_database d JOIN pg_stat_database s ON s.datid = d.oid WHERE d.datname = current_database()
        """;

    private readonly NpgsqlDataSource _dataSource;
    private readonly DatabaseMonitorOptions _options;
    private readonly TimeProvider _time;
    private readonly Meter _meter;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<DatabaseAlert> _alerts = [];
    private readonly HashSet<AlertKind> _active = [];
    private Task _loop = Task.CompletedTask;
    private DatabaseSample? _latest;

    public DatabaseMonitor(NpgsqlDataSource dataSource, DatabaseMonitorOptions options, TimeProvider time)
    {
        (_dataSource, _options, _time) = (dataSource, options, time);
        _meter = new Meter(MeterName);
        var database = new KeyValuePair<string, object?>("db.namespace", new NpgsqlConnectionStringBuilder(dataSource.ConnectionString).Database);
        _meter.CreateObservableGauge("apex.db.connections", () => _latest is { } s
            ? s.ConnectionsByState.Select(c => new Measurement<long>(c.Value, database, new("state", c.Key)))
            : [], description: "Sessions connected to the database, by state (pg_stat_activity)");
        _meter.CreateObservableGauge("apex.db.connections.saturation", () => Observe(s => s.Saturation, database), description: "Connections ÷ the database's connection limit");
        _meter.CreateObservableGauge("apex.db.query.longest", () => Observe(s => s.LongestQuery?.Running.TotalSeconds ?? 0, database), "s", "The longest running active query");
        _meter.CreateObservableCounter("apex.db.transactions.committed", () => Observe(s => s.Commits, database));
        _meter.CreateObservableCounter("apex.db.transactions.rolled_back", () => Observe(s => s.Rollbacks, database));
        _meter.CreateObservableCounter("apex.db.deadlocks", () => Observe(s => s.Deadlocks, database));
        _meter.CreateObservableGauge("apex.db.cache.hit_ratio", () => Observe(s => s.CacheHitRatio, database));
    }

    public event Action<DatabaseAlert>? Alert;

    public DatabaseSample? Latest => _latest;

    public IReadOnlyList<DatabaseAlert> Alerts
    {
        get
        {
            lock (_alerts) return [.. _alerts];
        }
    }

    /// <summary>Samples every <paramref name="interval"/> of the platform clock until disposed; failures become the next sample's problem.</summary>
    public void Start(TimeSpan interval, Action<Exception> onError)
    {
        var timer = new PeriodicTimer(interval, _time);
        _loop = Task.Run(async () =>
        {
            using var owned = timer;
            while (await timer.WaitForNextTickAsync(_stop.Token).AsTask().ContinueWith(t => t.IsCompletedSuccessfully && t.Result, TaskScheduler.Default))
            {
                try
                {
                    await SampleAsync(_stop.Token);
                }
                catch (NpgsqlException e)
                {
                    onError(e);
                }
            }
        });
    }

    public async Task<DatabaseSample> SampleAsync(CancellationToken ct)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(ct);
        var states = new Dictionary<string, long>(StringComparer.Ordinal);
        await using (var reader = await new NpgsqlCommand(ActivitySql, connection).ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct)) states[reader.GetString(0)] = reader.GetInt64(1);
        }

        RunningQuery? longest = null;
        await using (var reader = await new NpgsqlCommand(LongestSql, connection).ExecuteReaderAsync(ct))
        {
            if (await reader.ReadAsync(ct)) longest = new RunningQuery(reader.GetInt32(0), reader.GetString(1), reader.GetString(2), TimeSpan.FromSeconds((double)reader.GetDecimal(3)));
        }

        await using var stats = await new NpgsqlCommand(StatsSql, connection).ExecuteReaderAsync(ct);
        await stats.ReadAsync(ct);
        var sample = new DatabaseSample(_time.GetUtcNow(), connection.Database, states, stats.GetInt32(0), longest,
            stats.GetInt64(1), stats.GetInt64(2), stats.GetInt64(3), stats.GetDouble(4));
        _latest = sample;
        Evaluate(sample);
        return sample;
    }

    private void Evaluate(DatabaseSample sample)
    {
        var longest = sample.LongestQuery;
        Check(AlertKind.LongRunningQuery, longest is not null && longest.Running >= _options.LongRunningQuery,
            longest?.Running.TotalSeconds ?? 0, _options.LongRunningQuery.TotalSeconds, sample.At,
            longest is null ? "No query is running long any more." :
                $"Query of pid {longest.Pid} ({longest.ApplicationName}) has run {longest.Running.TotalSeconds:0.0} s, over {_options.LongRunningQuery.TotalSeconds:0.0} s: {longest.Query}");
        Check(AlertKind.ConnectionSaturation, sample.Saturation >= _options.SaturationRatio, sample.Saturation, _options.SaturationRatio, sample.At,
            $"{sample.Connections} of {sample.ConnectionLimit} connections to {sample.Database} in use ({sample.Saturation * 100:0}%; alert at {_options.SaturationRatio * 100:0}%).");
    }

    private void Check(AlertKind kind, bool crossed, double value, double threshold, DateTimeOffset at, string message)
    {
        DatabaseAlert? alert = null;
        lock (_alerts)
        {
            if (crossed && _active.Add(kind)) alert = new DatabaseAlert(at, kind, message, value, threshold, Resolved: false);
            else if (!crossed && _active.Remove(kind)) alert = new DatabaseAlert(at, kind, message, value, threshold, Resolved: true);
            if (alert is not null) _alerts.Add(alert);
        }

        if (alert is not null) Alert?.Invoke(alert);
    }

    private IEnumerable<Measurement<T>> Observe<T>(Func<DatabaseSample, T> value, KeyValuePair<string, object?> tag) where T : struct =>
        _latest is { } s ? [new Measurement<T>(value(s), tag)] : [];

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
        _meter.Dispose();
    }
}
