using Npgsql;

namespace Apex.Integration.DatabaseCoordination.Topology;

/// <summary>A primary and one streaming replica, started once for the collection that uses them.</summary>
public sealed class ReplicaTopology : IAsyncLifetime
{
    private LocalPostgresCluster _cluster = null!;

    public PostgresNode Primary { get; private set; } = null!;

    public PostgresNode Replica { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        _cluster = await LocalPostgresCluster.CreateAsync("pgreplica");
        Primary = await _cluster.StartPrimaryAsync("primary");
        Replica = await _cluster.StartReplicaAsync(Primary, "replica");
    }

    public NpgsqlDataSource PrimarySource() => NpgsqlDataSource.Create(Primary.ConnectionString.Replace("Pooling=false", "Pooling=true", StringComparison.Ordinal));

    public NpgsqlDataSource ReplicaSource() => NpgsqlDataSource.Create(Replica.ConnectionString.Replace("Pooling=false", "Pooling=true", StringComparison.Ordinal));

    public async ValueTask DisposeAsync() => await _cluster.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class ReplicaTopologyCollection : ICollectionFixture<ReplicaTopology>
{
    public const string Name = "PostgreSQL primary with a streaming replica";
}
