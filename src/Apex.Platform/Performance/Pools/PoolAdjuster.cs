using Npgsql;

namespace Apex.Platform.Performance.Pools;

/// <summary>
/// Applies a computed size to both pools that serve a workload: the worker slots and the
/// PostgreSQL connection pool behind them (Npgsql's Maximum Pool Size), so the database pool is
/// never the smaller of the two (which would move the queue, not remove it).
/// </summary>
public static class PoolAdjuster
{
    public static NpgsqlDataSource Apply(PoolSizing sizing, MonitoredPool workers, string connectionString)
    {
        workers.Resize(sizing.Size);
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { MaxPoolSize = sizing.Size, MinPoolSize = 0 };
        return NpgsqlDataSource.Create(builder.ConnectionString);
    }
}
