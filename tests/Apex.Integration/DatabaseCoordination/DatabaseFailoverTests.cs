using Apex.Integration.DatabaseCoordination.Topology;
using Apex.Integration.Infrastructure;
using Apex.Platform.Data.Failover;
using Npgsql;

namespace Apex.Integration.DatabaseCoordination;

/// <summary>
/// Plan item 56: the primary of a real primary/standby pair is stopped; the coordinator detects
/// it after repeated failed probes, promotes the standby (pg_ctl promote), checks it takes writes
/// and records the event; the application, on a multi-host connection string with
/// Target Session Attributes=primary, writes to the new primary, where every write acknowledged
/// before the failover is present.
/// </summary>
[PlanItem(56)]
[BusinessValue("All tiers (Enterprise SLA)", "Database high availability",
    "High availability worth $9K MRR uptime", "A lost database server costs seconds of failed writes, not an outage or lost data")]
[Collection(FailoverTopologyCollection.Name)]
public sealed class DatabaseFailoverTests(FailoverTopology topology)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task PrimaryStopped_IsDetected_TheStandbyPromoted_AndTheApplicationWritesToItWithEveryAcknowledgedWrite()
    {
        // What the application is configured with: both hosts, "whichever is the primary".
        await using var app = NpgsqlDataSource.Create(
            $"Host=127.0.0.1:{topology.Primary.Port},127.0.0.1:{topology.Standby.Port};Username=postgres;Database=postgres;" +
            "Target Session Attributes=primary;Host Recheck Seconds=1;Timeout=5");
        await ExecAsync(app, "CREATE TABLE payments (id int PRIMARY KEY, cents bigint NOT NULL)");
        for (var i = 1; i <= 200; i++) await ExecAsync(app, $"INSERT INTO payments VALUES ({i}, {i * 100})");
        var coordinator = new FailoverCoordinator(new FailoverOptions(topology.Primary.ConnectionString, topology.Standby.ConnectionString, FailureThreshold: 3),
            new PgCtlPromotion(topology.Standby), TimeProvider.System);
        var notified = new List<FailoverEvent>();
        coordinator.FailedOver += notified.Add;
        var healthy = await coordinator.CheckAsync(Ct);

        await topology.Primary.StopAsync();
        await Assert.ThrowsAnyAsync<NpgsqlException>(() => ExecAsync(app, "INSERT INTO payments VALUES (201, 1)"));
        var probes = new[] { await coordinator.CheckAsync(Ct), await coordinator.CheckAsync(Ct), await coordinator.CheckAsync(Ct) };
        await Eventually.TrueAsync(async () => await TryExecAsync(app, "INSERT INTO payments VALUES (201, 20100)"), seconds: 30);

        Assert.Equal(FailoverState.Healthy, healthy);
        Assert.Equal([FailoverState.Suspect, FailoverState.Suspect, FailoverState.FailedOver], probes);
        var failover = Assert.Single(notified);
        Assert.Equal(3, failover.FailedProbes);
        await AssertStandbyPromotedWithEveryWriteAsync(failover);
    }

    /// <summary>The standby is out of recovery and holds all 201 acknowledged payments and the failover's own record.</summary>
    private async Task AssertStandbyPromotedWithEveryWriteAsync(FailoverEvent failover)
    {
        await using var promoted = new NpgsqlConnection(topology.Standby.ConnectionString);
        await promoted.OpenAsync(Ct);
        Assert.False(await ScalarAsync<bool>(promoted, "SELECT pg_is_in_recovery()"));
        Assert.Equal((201L, 201L * 202 / 2 * 100), (await ScalarAsync<long>(promoted, "SELECT count(*) FROM payments"), await ScalarAsync<long>(promoted, "SELECT sum(cents)::bigint FROM payments")));
        Assert.Equal((1L, failover.Reason), (await ScalarAsync<long>(promoted, "SELECT count(*) FROM failover_events"), await ScalarAsync<string>(promoted, "SELECT reason FROM failover_events")));
    }

    [Fact]
    public async Task Check_NeverPromotesOnOneFailedProbe_AndReportsClearly_WhenTheStandbyIsDownToo()
    {
        string Dead() => $"Host=127.0.0.1;Port={FreePort.Next()};Username=postgres;Pooling=false;Timeout=2";
        var promotion = new CountingPromotion();
        var coordinator = new FailoverCoordinator(new FailoverOptions(Dead(), Dead(), FailureThreshold: 3), promotion, TimeProvider.System);

        var first = await coordinator.CheckAsync(Ct);
        var second = await coordinator.CheckAsync(Ct);
        var error = await Assert.ThrowsAsync<FailoverException>(() => coordinator.CheckAsync(Ct));

        Assert.Equal((FailoverState.Suspect, FailoverState.Suspect), (first, second));
        Assert.StartsWith("The primary is down (", error.Message, StringComparison.Ordinal);
        Assert.Contains(") and the standby cannot be promoted: ", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, promotion.Calls);
    }

    private sealed class CountingPromotion : IStandbyPromotion
    {
        public int Calls { get; private set; }

        public Task PromoteAsync(CancellationToken ct)
        {
            Calls++;
            return Task.CompletedTask;
        }
    }

    private static async Task ExecAsync(NpgsqlDataSource source, string sql)
    {
        await using var command = source.CreateCommand(sql);
        await command.ExecuteNonQueryAsync(Ct);
    }

    private static async Task<bool> TryExecAsync(NpgsqlDataSource source, string sql)
    {
        try
        {
            await ExecAsync(source, sql);
            return true;
        }
        catch (NpgsqlException)
        {
            return false;
        }
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync(Ct))!;
    }
}
