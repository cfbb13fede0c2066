using Apex.Platform.Data.Failover;

namespace Apex.Integration.DatabaseCoordination.Topology;

/// <summary>
/// A primary with a synchronous streaming standby (synchronous_standby_names = '*'), so a commit
/// is acknowledged only once the standby has it: the failover test may then demand that every
/// acknowledged write survives. Started once for its collection; the failover consumes it.
/// </summary>
public sealed class FailoverTopology : IAsyncLifetime
{
    private LocalPostgresCluster _cluster = null!;

    public PostgresNode Primary { get; private set; } = null!;

    public PostgresNode Standby { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        _cluster = await LocalPostgresCluster.CreateAsync("pgfailover");
        Primary = await _cluster.StartPrimaryAsync("primary", "synchronous_standby_names=*", "synchronous_commit=on");
        Standby = await _cluster.StartReplicaAsync(Primary, "standby");
    }

    public async ValueTask DisposeAsync() => await _cluster.DisposeAsync();
}

/// <summary>Promotion as an operator or orchestrator does it on the standby's host: <c>pg_ctl promote</c>.</summary>
public sealed class PgCtlPromotion(PostgresNode standby) : IStandbyPromotion
{
    public Task PromoteAsync(CancellationToken ct) => standby.PromoteAsync();
}

[CollectionDefinition(Name)]
public sealed class FailoverTopologyCollection : ICollectionFixture<FailoverTopology>
{
    public const string Name = "PostgreSQL primary with a synchronous standby, for failover";
}
