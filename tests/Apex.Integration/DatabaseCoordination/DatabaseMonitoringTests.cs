using System.Diagnostics.Metrics;
using Apex.Integration.Infrastructure;
using Apex.Platform.Data.Monitoring;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Apex.Integration.DatabaseCoordination;

/// <summary>
/// Plan item 65: the monitor samples pg_stat_activity and pg_stat_database on the platform clock,
/// publishes them through System.Diagnostics.Metrics (read here with a MeterListener, as an
/// exporter would), and raises an alert once when a long-running query or connection saturation
/// crosses its threshold, and a resolution when it no longer does. The class database has a
/// connection limit of its own (10), so saturation does not depend on other classes' sessions.
/// </summary>
[PlanItem(65)]
[BusinessValue("All tiers", "Database problems seen before customers see them",
    "Observability worth $5K MRR operational excellence", "Operators are alerted to runaway queries and connection saturation with the session named")]
public sealed class DatabaseMonitoringTests(DatabaseMonitoringTests.Db db) : IClassFixture<DatabaseMonitoringTests.Db>
{
    private static readonly DatabaseMonitorOptions Thresholds = new(LongRunningQuery: TimeSpan.FromMilliseconds(300), SaturationRatio: 0.75);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public sealed class Db(PostgresServer postgres) : ClassDatabase(postgres)
    {
        protected override string Owner => "item65";

        public string Name => new NpgsqlConnectionStringBuilder(ConnectionString).Database!;

        public override async ValueTask InitializeAsync()
        {
            await base.InitializeAsync();
            await using var admin = new NpgsqlConnection(Server.AdminConnectionString);
            await admin.OpenAsync();
            await using var limit = new NpgsqlCommand($"ALTER DATABASE \"{Name}\" CONNECTION LIMIT 10", admin);
            await limit.ExecuteNonQueryAsync();
        }

        /// <summary>A session outside the class pool, named for pg_stat_activity.</summary>
        public async Task<NpgsqlConnection> SessionAsync(string application)
        {
            var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ConnectionString) { Pooling = false, ApplicationName = application }.ConnectionString);
            await connection.OpenAsync(Ct);
            return connection;
        }
    }

    [Fact]
    public async Task Sample_OnTheSchedule_PublishesActivityAndDatabaseStatisticsAsMetrics()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var monitor = new DatabaseMonitor(db.DataSource, Thresholds, clock);
        await using var idle = await db.SessionAsync("idle-worker");
        using var metrics = new Metrics(db.Name);
        await db.ExecuteAsync("CREATE TABLE IF NOT EXISTS ticks (n int); INSERT INTO ticks VALUES (1)");
        monitor.Start(TimeSpan.FromSeconds(15), _ => { });

        var beforeTick = monitor.Latest;
        clock.Advance(TimeSpan.FromSeconds(15));
        await Eventually.TrueAsync(() => Task.FromResult(monitor.Latest is not null));
        var values = metrics.Collect();

        Assert.Null(beforeTick);
        Assert.Equal(10, monitor.Latest!.ConnectionLimit);
        Assert.True(values[("apex.db.connections", "idle")] >= 1);
        Assert.True(values[("apex.db.transactions.committed", "")] > 0);
        Assert.InRange(values[("apex.db.cache.hit_ratio", "")], 0.0, 1.0);
        Assert.Equal(values.Where(v => v.Key.Item1 == "apex.db.connections").Sum(v => v.Value) / 10.0, values[("apex.db.connections.saturation", "")], 3);
    }

    [Fact]
    public async Task LongRunningQuery_RaisesOneAlertNamingTheSession_AndAResolutionOnceItEnds()
    {
        await using var monitor = new DatabaseMonitor(db.DataSource, Thresholds, TimeProvider.System);
        await using var reporter = await db.SessionAsync("monthly-report");
        await using var sleep = new NpgsqlCommand("SELECT pg_sleep(30)", reporter);
        var running = sleep.ExecuteNonQueryAsync(Ct);

        await Eventually.TrueAsync(async () => (await monitor.SampleAsync(Ct)).LongestQuery?.Running >= Thresholds.LongRunningQuery);
        await monitor.SampleAsync(Ct);
        await db.ExecuteAsync($"SELECT pg_cancel_backend({reporter.ProcessID})");
        await Assert.ThrowsAsync<PostgresException>(() => running);
        await monitor.SampleAsync(Ct);

        var alerts = monitor.Alerts.Where(a => a.Kind == AlertKind.LongRunningQuery).ToList();
        Assert.Equal([false, true], alerts.Select(a => a.Resolved));
        Assert.StartsWith($"Query of pid {reporter.ProcessID} (monthly-report) has run ", alerts[0].Message, StringComparison.Ordinal);
        Assert.EndsWith(": SELECT pg_sleep(30)", alerts[0].Message, StringComparison.Ordinal);
        Assert.True(alerts[0].Value >= 0.3);
    }

    [Fact]
    public async Task ConnectionSaturation_RaisesAnAlertAtTheThreshold_AndResolvesWhenSessionsClose()
    {
        await using var monitor = new DatabaseMonitor(db.DataSource, Thresholds, TimeProvider.System);
        var raised = new List<DatabaseAlert>();
        monitor.Alert += raised.Add;
        var sessions = new List<NpgsqlConnection>();
        for (var i = 0; i < 7; i++) sessions.Add(await db.SessionAsync($"burst-{i}"));

        // 7 sessions + the class pool's idle ones + the monitor's own (not counted): below or at 0.75 depends on the pool, so measure it.
        var baseline = (await monitor.SampleAsync(Ct)).Connections;
        while ((await monitor.SampleAsync(Ct)).Saturation < 0.75) sessions.Add(await db.SessionAsync($"burst-{sessions.Count}"));
        var saturated = monitor.Latest!;
        await monitor.SampleAsync(Ct);
        foreach (var session in sessions) await session.DisposeAsync();
        await Eventually.TrueAsync(async () => (await monitor.SampleAsync(Ct)).Saturation < 0.75);

        Assert.True(baseline >= 7);
        Assert.Equal([false, true], raised.Where(a => a.Kind == AlertKind.ConnectionSaturation).Select(a => a.Resolved));
        Assert.Equal($"{saturated.Connections} of 10 connections to {db.Name} in use ({saturated.Saturation * 100:0}%; alert at 75%).", raised[0].Message);
    }

    /// <summary>What an exporter would collect: the last value of each monitoring instrument for this database, by state tag.</summary>
    private sealed class Metrics : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly Dictionary<(string, string), double> _values = [];

        public Metrics(string database)
        {
            _listener.InstrumentPublished = (instrument, l) => { if (instrument.Meter.Name == DatabaseMonitor.MeterName) l.EnableMeasurementEvents(instrument); };
            void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
            {
                string? db = null, state = null;
                foreach (var (key, tag) in tags)
                {
                    if (key == "db.namespace") db = tag as string;
                    if (key == "state") state = tag as string;
                }

                if (db == database) _values[(instrument.Name, state ?? string.Empty)] = value;
            }

            _listener.SetMeasurementEventCallback<long>((i, v, t, _) => Record(i, v, t));
            _listener.SetMeasurementEventCallback<double>((i, v, t, _) => Record(i, v, t));
            _listener.Start();
        }

        public Dictionary<(string, string), double> Collect()
        {
            _listener.RecordObservableInstruments();
            return new(_values);
        }

        public void Dispose() => _listener.Dispose();
    }
}
