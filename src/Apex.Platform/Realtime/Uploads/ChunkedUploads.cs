using System.Buffers.Binary;
using System.Security.Cryptography;
using Apex.Platform.Realtime.Hub;
using Apex.Platform.Realtime.Storage;
using Npgsql;

namespace Apex.Platform.Realtime.Uploads;

/// <summary>
/// Chunked binary uploads over the hub. "upload.start" declares size and SHA-256 and gets an
/// upload id; each binary frame is [16-byte upload id][8-byte offset, big-endian][32-byte SHA-256
/// of the chunk][chunk]. A chunk is stored only when it is at the offset acknowledged so far, no
/// larger than MaxChunkBytes and intact; otherwise an "upload.refused" frame says why and nothing
/// is stored. Each stored chunk is acknowledged ("upload.progress"); "upload.resume" after a
/// reconnect answers the acknowledged offset. The last chunk triggers the whole-file SHA-256
/// check: a mismatch deletes the upload.
/// </summary>
internal sealed class ChunkedUploads : IHubHandler, IHubBinaryHandler
{
    public const int MaxChunkBytes = 32 * 1024;
    public const long MaxUploadBytes = 64L * 1024 * 1024;
    public const int HeaderBytes = 16 + 8 + 32;

    public const string Schema = """
        CREATE TABLE IF NOT EXISTS realtime_uploads (
            id uuid PRIMARY KEY, user_id uuid NOT NULL, size bigint NOT NULL, sha256 text NOT NULL,
            received bigint NOT NULL DEFAULT 0, data bytea NOT NULL DEFAULT '', completed boolean NOT NULL DEFAULT false);
        """;

    public IReadOnlyCollection<string> Types { get; } = ["upload.start", "upload.resume"];

    public async Task HandleAsync(HubMessage message)
    {
        var request = message.Frame.DataAs<UploadRequest>() ?? new UploadRequest(null, 0, null);
        var transaction = message.Services.GetRequiredService<MessageTransaction>();
        if (message.Frame.Type == "upload.start")
        {
            if (request.Size is <= 0 or > MaxUploadBytes || request.Sha256 is not { Length: 64 })
            {
                throw new HubException("bad-upload", $"Declare a size from 1 to {MaxUploadBytes} bytes and the file's SHA-256 in hex.");
            }

            var id = Guid.NewGuid();
            await ExecuteAsync(transaction, "INSERT INTO realtime_uploads (id, user_id, size, sha256) VALUES ($1, $2, $3, $4)", message.Aborted,
                id, message.Connection.User.UserId, request.Size, request.Sha256.ToLowerInvariant());
            await transaction.CommitAsync(message.Aborted);
            message.Reply(HubFrame.Of("upload.ready", new { uploadId = id, offset = 0L, maxChunk = MaxChunkBytes }, message.Frame.Id));
            return;
        }

        var offset = await ReceivedAsync(transaction, request.UploadId ?? Guid.Empty, message.Connection.User.UserId, message.Aborted)
            ?? throw new HubException("unknown-upload", "No open upload of yours has this id.");
        message.Reply(HubFrame.Of("upload.ready", new { uploadId = request.UploadId, offset, maxChunk = MaxChunkBytes }, message.Frame.Id));
    }

    public async Task HandleAsync(HubConnection connection, ReadOnlyMemory<byte> payload, IServiceProvider services)
    {
        if (payload.Length < HeaderBytes) { Refuse(connection, null, "bad-chunk", "A chunk starts with a 56-byte header."); return; }
        var id = new Guid(payload.Span[..16]);
        var offset = BinaryPrimitives.ReadInt64BigEndian(payload.Span[16..24]);
        var chunk = payload[HeaderBytes..];
        if (chunk.Length > MaxChunkBytes) { Refuse(connection, id, "oversized", $"Chunks are at most {MaxChunkBytes} bytes."); return; }
        if (!SHA256.HashData(chunk.Span).AsSpan().SequenceEqual(payload.Span[24..HeaderBytes])) { Refuse(connection, id, "corrupted", "The chunk does not match its SHA-256."); return; }
        await StoreAsync(connection, services.GetRequiredService<MessageTransaction>(), id, offset, chunk);
    }

    private static async Task StoreAsync(HubConnection connection, MessageTransaction transaction, Guid id, long offset, ReadOnlyMemory<byte> chunk)
    {
        var user = connection.User.UserId;
        var stored = await ExecuteAsync(transaction,
            "UPDATE realtime_uploads SET data = data || $1, received = received + $2 WHERE id = $3 AND user_id = $4 AND received = $5 AND NOT completed AND received + $2 <= size",
            connection.Lifetime, chunk.ToArray(), (long)chunk.Length, id, user, offset);
        if (stored == 0)
        {
            var expected = await ReceivedAsync(transaction, id, user, connection.Lifetime);
            if (expected is null) Refuse(connection, id, "unknown-upload", "No open upload of yours has this id.");
            else Refuse(connection, id, expected == offset ? "too-long" : "out-of-order", $"The next chunk starts at offset {expected}.", expected);
            return;
        }

        var (received, size) = await ProgressAsync(transaction, id, connection.Lifetime);
        var answer = received == size ? await CompleteAsync(connection, transaction, id)
            : HubFrame.Of("upload.progress", new { uploadId = id, offset = received, size });
        // Committed before the client hears of it: whoever reads the acknowledged offset finds it stored.
        await transaction.CommitAsync(connection.Lifetime);
        connection.Send(answer);
    }

    private static async Task<HubFrame> CompleteAsync(HubConnection connection, MessageTransaction transaction, Guid id)
    {
        await using var check = await transaction.CommandAsync("SELECT encode(sha256(data), 'hex') = sha256, size FROM realtime_uploads WHERE id = $1", connection.Lifetime);
        check.Parameters.Add(new NpgsqlParameter { Value = id });
        await using var reader = await check.ExecuteReaderAsync(connection.Lifetime);
        await reader.ReadAsync(connection.Lifetime);
        var (intact, size) = (reader.GetBoolean(0), reader.GetInt64(1));
        await reader.DisposeAsync();
        if (intact)
        {
            await ExecuteAsync(transaction, "UPDATE realtime_uploads SET completed = true WHERE id = $1", connection.Lifetime, id);
            return HubFrame.Of("upload.complete", new { uploadId = id, size });
        }

        await ExecuteAsync(transaction, "DELETE FROM realtime_uploads WHERE id = $1", connection.Lifetime, id);
        return Refusal(id, "checksum-mismatch", "The file's SHA-256 differs from the one declared; the upload was discarded.");
    }

    private static void Refuse(HubConnection connection, Guid? id, string reason, string detail, long? expected = null) =>
        connection.Send(Refusal(id, reason, detail, expected));

    private static HubFrame Refusal(Guid? id, string reason, string detail, long? expected = null) =>
        HubFrame.Of("upload.refused", new { uploadId = id, reason, detail, expected });

    private static async Task<long?> ReceivedAsync(MessageTransaction transaction, Guid id, Guid user, CancellationToken cancellationToken)
    {
        await using var command = await transaction.CommandAsync("SELECT received FROM realtime_uploads WHERE id = $1 AND user_id = $2 AND NOT completed", cancellationToken);
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        command.Parameters.Add(new NpgsqlParameter { Value = user });
        return await command.ExecuteScalarAsync(cancellationToken) as long?;
    }

    private static async Task<(long Received, long Size)> ProgressAsync(MessageTransaction transaction, Guid id, CancellationToken cancellationToken)
    {
        await using var command = await transaction.CommandAsync("SELECT received, size FROM realtime_uploads WHERE id = $1", cancellationToken);
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    private static async Task<int> ExecuteAsync(MessageTransaction transaction, string sql, CancellationToken cancellationToken, params object[] values)
    {
        await using var command = await transaction.CommandAsync(sql, cancellationToken);
        foreach (var value in values) command.Parameters.Add(new NpgsqlParameter { Value = value });
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private sealed record UploadRequest(Guid? UploadId, long Size, string? Sha256);
}
