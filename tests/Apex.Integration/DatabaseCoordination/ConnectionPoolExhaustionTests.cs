using System.Diagnostics.Metrics;
using System.Net;
using Apex.Integration.Authentication;
using Apex.Integration.Infrastructure;
using Apex.Platform.Data.Pooling;
using Npgsql;
using static Apex.Integration.Authentication.AuthApi;

namespace Apex.Integration.DatabaseCoordination;

/// <summary>
/// Plan item 52: a platform instance whose Npgsql pool holds three connections. A signed-in user's
/// report requests are held by a real lock until every connection is taken; further callers queue
/// in the pool, time out and get a 503 problem with Retry-After; after three timeouts the breaker
/// refuses at once; when the lock goes the held requests finish, and after the break (platform
/// clock) the service answers again. Pool statistics come from Npgsql's meter.
/// </summary>
[PlanItem(52)]
[BusinessValue("All tiers", "Availability under database saturation",
    "Availability worth $7K MRR uptime", "A burst of slow queries degrades to fast, clear 503s and recovers by itself instead of hanging every request")]
public sealed class ConnectionPoolExhaustionTests(ConnectionPoolExhaustionTests.Host host) : IClassFixture<ConnectionPoolExhaustionTests.Host>
{
    public sealed class Host(PostgresServer postgres, RedisServer redis) : ClassHost(postgres, redis)
    {
        protected override string Owner => "item52";

        protected override string[] Services => ["auth", "data"];

        protected override Task<Dictionary<string, string?>> ExtraSettingsAsync() => Task.FromResult(new Dictionary<string, string?>
        {
            // A small pool that gives up quickly: the whole exhaustion happens in a few seconds.
            ["Platform:Postgres:ConnectionString"] = new NpgsqlConnectionStringBuilder(Database) { Pooling = true, MaxPoolSize = 3, Timeout = 1 }.ConnectionString,
            ["Platform:Data:Pool:BreakAfter"] = "3",
            ["Platform:Data:Pool:BreakFor"] = "00:00:30",
        });
    }

    [Fact]
    public async Task ReportRequests_BeyondThePool_Get503s_ThenTheBreakerRefusesAtOnce_AndTheServiceRecovers()
    {
        var token = (await SignInAsync(host.A, host.Provider, "ops@pool.test")).AccessToken;
        var first = await (await GetAsync(host.A, "data/reports/usage", token)).ReadAsync<DataCoordinationEndpoints.UsageReport>();
        await using var admin = new NpgsqlConnection(host.Database);
        await admin.OpenAsync(Cancel);
        await ExecAsync(admin, $"INSERT INTO report_usage (tenant_id, cents) VALUES ('{first.TenantId}', 1500), ('{first.TenantId}', 2500)");
        using var pool = new PoolMeter(new NpgsqlConnectionStringBuilder(host.Database).Database!);

        await using var blocker = await admin.BeginTransactionAsync(Cancel);
        await ExecAsync(admin, "LOCK TABLE report_usage IN ACCESS EXCLUSIVE MODE");
        var held = Enumerable.Range(0, 3).Select(_ => GetAsync(host.A, "data/reports/usage", token)).ToList();
        await Eventually.TrueAsync(async () => await WaitingOnLockAsync() == 3);
        var queued = Enumerable.Range(0, 3).Select(_ => GetAsync(host.A, "data/reports/usage", token)).ToList();
        await Eventually.TrueAsync(() => Task.FromResult(pool.Pending > 0));
        var timedOut = await Task.WhenAll(queued);
        var refused = await GetAsync(host.A, "data/reports/usage", token);
        await blocker.CommitAsync(Cancel);
        var finished = await Task.WhenAll(held);
        var stillOpen = await GetAsync(host.A, "data/reports/usage", token);
        host.Clock.Advance(TimeSpan.FromSeconds(31));
        var recovered = await GetAsync(host.A, "data/reports/usage", token);

        await AssertTimedOutThenRefusedAsync(timedOut, refused, pool);
        Assert.All(finished, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        await AssertBreakerOpenThenRecoveredAsync(stillOpen, recovered, pool);
    }

    /// <summary>The queued requests time out with a 503 that says why and when to retry; then the breaker refuses at once.</summary>
    private static async Task AssertTimedOutThenRefusedAsync(HttpResponseMessage[] timedOut, HttpResponseMessage refused, PoolMeter pool)
    {
        Assert.All(timedOut, r => Assert.Equal(HttpStatusCode.ServiceUnavailable, r.StatusCode));
        Assert.StartsWith("No database connection became free in time", await timedOut[0].DetailAsync(), StringComparison.Ordinal);
        Assert.Equal("30", timedOut[0].Headers.RetryAfter!.ToString());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Contains("circuit breaker is open: the request was refused without waiting", await refused.DetailAsync(), StringComparison.Ordinal);
        Assert.Equal((3L, 2L), (pool.Exhausted, pool.Rejected));
    }

    /// <summary>While the breaker is open the service answers 503; after its break it serves the full report again.</summary>
    private async Task AssertBreakerOpenThenRecoveredAsync(HttpResponseMessage stillOpen, HttpResponseMessage recovered, PoolMeter pool)
    {
        Assert.Equal(HttpStatusCode.ServiceUnavailable, stillOpen.StatusCode);
        Assert.Equal(HttpStatusCode.OK, recovered.StatusCode);
        var report = await recovered.ReadAsync<DataCoordinationEndpoints.UsageReport>();
        Assert.Equal((2L, 4000L), (report.Invoices, report.Cents));
        Assert.Equal((3L, 3L), (pool.MaxUsed, pool.Max));
        Assert.False(((PoolGuard)host.A.Services.GetService(typeof(PoolGuard))!).BreakerOpen);
    }

    [Fact]
    public async Task ReportRequest_WithoutAToken_IsRefused_AndTakesNoConnection()
    {
        var response = await GetAsync(host.A, "data/reports/usage", null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    private async Task<long> WaitingOnLockAsync()
    {
        await using var connection = new NpgsqlConnection(host.Database);
        await connection.OpenAsync(Cancel);
        await using var command = new NpgsqlCommand("SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database WHERE d.datname = current_database() AND NOT l.granted", connection);
        return (long)(await command.ExecuteScalarAsync(Cancel))!;
    }

    private static async Task ExecAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(Cancel);
    }

    /// <summary>Npgsql's pool statistics and the guard's counters for one database, as any metrics exporter would see them.</summary>
    private sealed class PoolMeter : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly string _database;
        private readonly Lock _gate = new();
        private long _pending;

        public PoolMeter(string database)
        {
            _database = database;
            _listener.InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name is "Npgsql" or PoolGuard.MeterName) l.EnableMeasurementEvents(instrument);
            };
            _listener.SetMeasurementEventCallback<long>(OnMeasurement);
            _listener.SetMeasurementEventCallback<int>((i, v, t, s) => OnMeasurement(i, v, t, s));
            _listener.Start();
        }

        public long Pending => Read(ref _pending);

        public long MaxUsed { get; private set; }

        public long Max { get; private set; }


        public long Exhausted { get; private set; }

        public long Rejected { get; private set; }

        private long Read(ref long field)
        {
            _listener.RecordObservableInstruments();
            return Interlocked.Read(ref field);
        }

        private void OnMeasurement(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
        {
            var mine = false;
            string? connectionState = null;
            foreach (var (key, tag) in tags)
            {
                if (key is "db.client.connection.pool.name" or "db.namespace" && tag is string s && s.Contains(_database, StringComparison.Ordinal)) mine = true;
                if (key == "db.client.connection.state") connectionState = tag as string;
            }

            if (!mine) return;
            // Requests that time out together report from several threads at once: count under a lock.
            lock (_gate) Count(instrument.Name, value, connectionState);
        }

        private void Count(string instrument, long value, string? connectionState)
        {
            switch (instrument)
            {
                case "db.client.connection.npgsql.pending_requests": Interlocked.Exchange(ref _pending, value); break;
                case "db.client.connection.count" when connectionState == "used": MaxUsed = Math.Max(MaxUsed, value); break;
                case "db.client.connection.max": Max = value; break;
                case "apex.db.pool.exhausted": Exhausted += value; break;
                case "apex.db.pool.rejected": Rejected += value; break;
            }
        }

        public void Dispose() => _listener.Dispose();
    }
}
