using Apex.Integration.DatabaseCoordination.Topology;
using Apex.Integration.Infrastructure;
using Apex.Platform.Data.Retry;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Apex.Integration.DatabaseCoordination;

/// <summary>
/// Plan item 64: a PostgreSQL server of the class's own is really stopped and started; the
/// connector retries with exponential backoff and jitter (waits on the platform clock, moved by
/// the test), opens its breaker after repeated failed opens, refuses fast while open, lets one
/// trial through after the break, and closes once the server answers again.
/// </summary>
[PlanItem(64)]
[BusinessValue("All tiers", "Riding out database restarts",
    "Resilience worth $4K MRR availability", "Maintenance restarts and brief outages cost retries, not errors, and never a connection storm")]
public sealed class DatabaseConnectionRetryTests(DatabaseConnectionRetryTests.Server server) : IClassFixture<DatabaseConnectionRetryTests.Server>
{
    private static readonly Backoff Backoff = new(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(2));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>One server that the tests stop and start; each test leaves it running.</summary>
    public sealed class Server : IAsyncLifetime
    {
        private LocalPostgresCluster _cluster = null!;

        public PostgresNode Node { get; private set; } = null!;

        public async ValueTask InitializeAsync()
        {
            _cluster = await LocalPostgresCluster.CreateAsync("pgrestart");
            Node = await _cluster.StartPrimaryAsync("restartable");
        }

        public async ValueTask DisposeAsync() => await _cluster.DisposeAsync();
    }

    [Fact]
    public void Delay_GrowsExponentiallyWithinItsJitterBand_UpToTheCap_AndDiffersBetweenInstances()
    {
        var first = Enumerable.Range(1, 8).Select(a => Backoff.Delay(a, new Random(1 + a))).ToList();
        var second = Enumerable.Range(1, 8).Select(a => Backoff.Delay(a, new Random(100 + a))).ToList();

        Assert.Equal([100, 200, 400, 800, 1600, 2000, 2000, 2000], Enumerable.Range(1, 8).Select(a => Backoff.Cap(a).TotalMilliseconds));
        Assert.All(Enumerable.Range(1, 8), a => Assert.InRange(first[a - 1], Backoff.Cap(a) / 2, Backoff.Cap(a)));
        Assert.NotEqual(first, second);
    }

    [Fact]
    public async Task OpenAsync_RetriesAcrossARealServerRestart_AndConnectsOnceTheServerIsBack()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var source = NpgsqlDataSource.Create(server.Node.ConnectionString);
        var connector = new ResilientConnector(source, new ConnectionRetryOptions(MaxAttempts: 6, Backoff, BreakAfter: 3, BreakFor: TimeSpan.FromSeconds(30)), clock, new Random(7));
        var waits = new List<TimeSpan>();
        var secondFailure = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        connector.AttemptFailed += (attempt, wait) =>
        {
            waits.Add(wait);
            if (attempt == 1) clock.Advance(wait);
            else secondFailure.TrySetResult();
        };
        await server.Node.StopAsync();

        var opening = connector.OpenAsync(Ct);
        await secondFailure.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        await server.Node.StartAsync();
        clock.Advance(waits[1]);
        await using var connection = await opening;

        Assert.Equal(1, await ScalarAsync(connection, "SELECT 1"));
        Assert.Equal(3, connector.Attempts);
        Assert.InRange(waits[0], TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(100));
        Assert.InRange(waits[1], TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(200));
        Assert.Equal(BreakerState.Closed, connector.Breaker);
    }

    [Fact]
    public async Task OpenAsync_OpensTheBreakerAfterRepeatedFailure_FailsFastWhileOpen_AndClosesOnceATrialSucceeds()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var source = NpgsqlDataSource.Create(server.Node.ConnectionString);
        var connector = BreakingConnector(source, clock);
        await server.Node.StopAsync();

        var failures = new[] { await Assert.ThrowsAsync<DatabaseUnavailableException>(() => connector.OpenAsync(Ct)), await Assert.ThrowsAsync<DatabaseUnavailableException>(() => connector.OpenAsync(Ct)) };
        var breakerAfterTwo = connector.Breaker;
        var attemptsWhenOpened = connector.Attempts;
        var refused = await Assert.ThrowsAsync<DatabaseUnavailableException>(() => connector.OpenAsync(Ct));
        clock.Advance(TimeSpan.FromSeconds(31));
        await Assert.ThrowsAsync<DatabaseUnavailableException>(() => connector.OpenAsync(Ct));
        var breakerAfterFailedTrial = connector.Breaker;
        await server.Node.StartAsync();
        var refusedWhileServerIsBack = await Assert.ThrowsAsync<DatabaseUnavailableException>(() => connector.OpenAsync(Ct));
        clock.Advance(TimeSpan.FromSeconds(31));
        await using var connection = await connector.OpenAsync(Ct);

        Assert.All(failures, f => Assert.StartsWith("Could not connect to the database after 2 attempt(s)", f.Message, StringComparison.Ordinal));
        Assert.Equal((BreakerState.Open, 4L), (breakerAfterTwo, attemptsWhenOpened));
        Assert.StartsWith("The database is unavailable: the circuit breaker is open until", refused.Message, StringComparison.Ordinal);
        Assert.Equal(BreakerState.Open, breakerAfterFailedTrial);
        Assert.Contains("circuit breaker is open", refusedWhileServerIsBack.Message, StringComparison.Ordinal);
        Assert.Equal((6L, BreakerState.Closed), (connector.Attempts, connector.Breaker));
        Assert.Equal(1, await ScalarAsync(connection, "SELECT 1"));
    }

    /// <summary>Two attempts per open, the breaker opening after two failed opens for 30 s; waits pass on the fake clock.</summary>
    private static ResilientConnector BreakingConnector(NpgsqlDataSource source, FakeTimeProvider clock)
    {
        var connector = new ResilientConnector(source, new ConnectionRetryOptions(MaxAttempts: 2, Backoff, BreakAfter: 2, BreakFor: TimeSpan.FromSeconds(30)), clock, new Random(11));
        connector.AttemptFailed += (_, wait) => clock.Advance(wait);
        return connector;
    }

    private static async Task<int> ScalarAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return (int)(await command.ExecuteScalarAsync(Ct))!;
    }
}
