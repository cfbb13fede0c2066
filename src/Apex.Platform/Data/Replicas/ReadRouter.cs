using Npgsql;
using NpgsqlTypes;

namespace Apex.Platform.Data.Replicas;

/// <summary>
/// Chooses where a read goes. The replica serves it only when it is reachable, its lag is within
/// <see cref="MaxLagBytes"/>, and — for a session that must see its own writes — it has replayed
/// past that session's last write; otherwise the primary does, and the route says why.
/// </summary>
public sealed class ReadRouter(NpgsqlDataSource primary, NpgsqlDataSource replica, ReplicaLagMonitor monitor, long maxLagBytes)
{
    public long MaxLagBytes => maxLagBytes;

    /// <param name="ownWritesUpTo">The WAL position of the session's last write (see <see cref="WritePositionAsync"/>), or null when the session has none to see.</param>
    public async Task<ReadRoute> RouteAsync(NpgsqlLogSequenceNumber? ownWritesUpTo, CancellationToken ct)
    {
        ReplicaLag lag;
        try
        {
            lag = await monitor.MeasureAsync(ct);
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException)
        {
            return new ReadRoute(primary, false, $"replica unavailable ({e.Message})", null);
        }

        if (lag.BytesBehind > maxLagBytes)
        {
            return new ReadRoute(primary, false, $"replica {lag.BytesBehind} bytes behind, over the bound of {maxLagBytes}", lag);
        }

        if (ownWritesUpTo is { } written && (ulong)lag.Replayed < (ulong)written)
        {
            return new ReadRoute(primary, false, $"read-your-writes: the replica has replayed {lag.Replayed}, the session wrote up to {written}", lag);
        }

        return new ReadRoute(replica, true, $"replica {lag.BytesBehind} bytes behind, within the bound", lag);
    }

    /// <summary>The primary's WAL position just after a session's write: what the replica must reach to show it.</summary>
    public static async Task<NpgsqlLogSequenceNumber> WritePositionAsync(NpgsqlConnection primaryConnection, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("SELECT pg_current_wal_insert_lsn()", primaryConnection);
        return (NpgsqlLogSequenceNumber)(await command.ExecuteScalarAsync(ct))!;
    }
}

/// <summary>Where the read goes (<see cref="Source"/>), whether that is the replica, why, and the lag measured for the decision.</summary>
public sealed record ReadRoute(NpgsqlDataSource Source, bool UsesReplica, string Reason, ReplicaLag? Lag);
