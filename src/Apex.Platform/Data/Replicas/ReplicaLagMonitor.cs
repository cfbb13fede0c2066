using Npgsql;
using NpgsqlTypes;

namespace Apex.Platform.Data.Replicas;

/// <summary>
/// Measures how far a streaming replica is behind its primary from the replica's own replay
/// position: bytes of WAL the primary has written (<c>pg_current_wal_lsn</c>) that the replica has
/// not yet applied (<c>pg_last_wal_replay_lsn</c>). Bytes rather than seconds: replay timestamps
/// stand still on an idle primary, while an LSN distance is exact whenever it is read.
/// </summary>
public sealed class ReplicaLagMonitor(NpgsqlDataSource primary, NpgsqlDataSource replica)
{
    public async Task<ReplicaLag> MeasureAsync(CancellationToken ct)
    {
        NpgsqlLogSequenceNumber written;
        await using (var command = primary.CreateCommand("SELECT pg_current_wal_lsn()"))
        {
            written = (NpgsqlLogSequenceNumber)(await command.ExecuteScalarAsync(ct))!;
        }

        await using var status = replica.CreateCommand(
            "SELECT pg_is_in_recovery(), pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn(), pg_is_in_recovery() AND pg_is_wal_replay_paused()");
        await using var reader = await status.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        if (!reader.GetBoolean(0)) throw new InvalidOperationException("The replica is not in recovery: it was promoted, or it is not a replica.");
        var received = reader.GetFieldValue<NpgsqlLogSequenceNumber>(1);
        var replayed = reader.GetFieldValue<NpgsqlLogSequenceNumber>(2);
        var behind = (ulong)written > (ulong)replayed ? (ulong)written - (ulong)replayed : 0;
        return new ReplicaLag(written, received, replayed, (long)behind, reader.GetBoolean(3));
    }
}

/// <summary>The primary's write position, the replica's receive and replay positions, the distance in bytes, and whether replay is paused.</summary>
public sealed record ReplicaLag(NpgsqlLogSequenceNumber PrimaryWritten, NpgsqlLogSequenceNumber Received, NpgsqlLogSequenceNumber Replayed, long BytesBehind, bool ReplayPaused);
