using System.Buffers.Binary;
using System.Security.Cryptography;
using Apex.Integration.Infrastructure;
using Apex.Platform.Realtime.Hub;
using Npgsql;

namespace Apex.Integration.WebSocketRealtime;

/// <summary>
/// Plan item 21: files go up the hub as binary chunks of an upload with an id; each stored chunk
/// is acknowledged with a progress frame, an interrupted upload resumes after a reconnect from the
/// last acknowledged offset, and the file is verified against its declared SHA-256 at the end.
/// Oversized, out-of-order and corrupted chunks are refused with a frame that says why, and
/// nothing of them is stored.
/// </summary>
[PlanItem(21)]
[BusinessValue("All tiers", "Reliable file upload over the real-time channel",
    "File upload worth $5K MRR feature completeness", "Large inputs reach agents even over unstable links")]
public sealed class BinaryMessageHandlingTests(BinaryMessageHandlingTests.Host host) : IClassFixture<BinaryMessageHandlingTests.Host>
{
    private const int Chunk = 16 * 1024;

    public sealed class Host(PostgresServer postgres, RedisServer redis) : RealtimeHost(postgres, redis)
    {
        protected override string Owner => "item21";
    }

    [Fact]
    public async Task ChunkedUpload_ReportsProgressPerChunk_AndCompletesWithTheFileVerified()
    {
        var file = RandomNumberGenerator.GetBytes(10 * Chunk + 1234);
        await using var client = await HubClient.ConnectAsync(HubClient.Endpoint(host.A), host.TokenFor(RealtimeHost.NewUser()));
        var id = await StartAsync(client, file);

        var progress = new List<long>();
        for (var offset = 0; offset < file.Length; offset += Chunk)
        {
            await client.SendBinaryAsync(Frame(id, offset, file.AsSpan(offset, Math.Min(Chunk, file.Length - offset)).ToArray()));
            if (offset + Chunk < file.Length) progress.Add((await client.NextAsync("upload.progress")).Data!.Value.GetProperty("offset").GetInt64());
        }

        var complete = await client.NextAsync("upload.complete");

        Assert.Equal(Enumerable.Range(1, 10).Select(i => (long)i * Chunk), progress);
        Assert.Equal(file.Length, complete.Data!.Value.GetProperty("size").GetInt64());
        Assert.Equal(file, await StoredAsync(id));
    }

    [Fact]
    public async Task InterruptedUpload_ResumesFromTheLastAcknowledgedOffset_AfterAReconnect()
    {
        var user = RealtimeHost.NewUser();
        var file = RandomNumberGenerator.GetBytes(6 * Chunk);
        var first = await HubClient.ConnectAsync(HubClient.Endpoint(host.A), host.TokenFor(user));
        var id = await StartAsync(first, file);
        for (var i = 0; i < 3; i++)
        {
            await first.SendBinaryAsync(Frame(id, i * Chunk, file[(i * Chunk)..((i + 1) * Chunk)]));
            await first.NextAsync("upload.progress");
        }

        first.Abort();
        await first.DisposeAsync();
        await using var second = await HubClient.ConnectAsync(HubClient.Endpoint(host.A), host.TokenFor(user));
        await second.SendAsync("upload.resume", new { uploadId = id }, id: "resume");
        var resumeAt = (await second.NextAsync("upload.ready")).Data!.Value.GetProperty("offset").GetInt64();
        for (var offset = (int)resumeAt; offset < file.Length; offset += Chunk) await second.SendBinaryAsync(Frame(id, offset, file[offset..(offset + Chunk)]));
        await second.NextAsync("upload.complete");

        Assert.Equal(3 * Chunk, resumeAt);
        Assert.Equal(file, await StoredAsync(id));
    }

    [Fact]
    public async Task OversizedOutOfOrderCorruptedAndMisdeclaredUploads_AreRefusedWithAReason_AndNothingIsStored()
    {
        var file = RandomNumberGenerator.GetBytes(3 * Chunk);
        await using var client = await HubClient.ConnectAsync(HubClient.Endpoint(host.A), host.TokenFor(RealtimeHost.NewUser()));
        var id = await StartAsync(client, file);
        var corrupted = Frame(id, 0, file[..Chunk]);
        corrupted[^1] ^= 0xFF;

        await client.SendBinaryAsync(Frame(id, 0, RandomNumberGenerator.GetBytes(40 * 1024)));
        var oversized = await client.NextAsync("upload.refused");
        await client.SendBinaryAsync(Frame(id, Chunk, file[Chunk..(2 * Chunk)]));
        var outOfOrder = await client.NextAsync("upload.refused");
        await client.SendBinaryAsync(corrupted);
        var corrupt = await client.NextAsync("upload.refused");
        var receivedAfterRefusals = await ReceivedAsync(id);
        var liar = await StartAsync(client, file, declared: RandomNumberGenerator.GetBytes(file.Length));
        for (var i = 0; i < 3; i++) await client.SendBinaryAsync(Frame(liar, i * Chunk, file[(i * Chunk)..((i + 1) * Chunk)]));
        var mismatch = await client.NextAsync("upload.refused");

        Assert.Equal("oversized", Reason(oversized));
        Assert.Equal(("out-of-order", 0L), (Reason(outOfOrder), outOfOrder.Data!.Value.GetProperty("expected").GetInt64()));
        Assert.Equal("corrupted", Reason(corrupt));
        Assert.Equal(0, receivedAfterRefusals);
        Assert.Equal("checksum-mismatch", Reason(mismatch));
        Assert.Null(await ReceivedAsync(liar));
    }

    private static async Task<Guid> StartAsync(HubClient client, byte[] file, byte[]? declared = null)
    {
        await client.SendAsync("upload.start", new { size = file.Length, sha256 = Convert.ToHexString(SHA256.HashData(declared ?? file)) }, id: "start");
        return (await client.NextAsync("upload.ready")).Data!.Value.GetProperty("uploadId").GetGuid();
    }

    private static byte[] Frame(Guid id, long offset, byte[] chunk)
    {
        var frame = new byte[56 + chunk.Length];
        id.TryWriteBytes(frame.AsSpan(0, 16));
        BinaryPrimitives.WriteInt64BigEndian(frame.AsSpan(16, 8), offset);
        SHA256.HashData(chunk).CopyTo(frame.AsSpan(24, 32));
        chunk.CopyTo(frame.AsSpan(56));
        return frame;
    }

    private static string Reason(HubFrame refusal) => refusal.Data!.Value.GetProperty("reason").GetString()!;

    private async Task<byte[]> StoredAsync(Guid id) => (byte[])(await ScalarAsync("SELECT data FROM realtime_uploads WHERE id = $1 AND completed", id))!;

    private async Task<long?> ReceivedAsync(Guid id) => await ScalarAsync("SELECT received FROM realtime_uploads WHERE id = $1", id) as long?;

    private async Task<object?> ScalarAsync(string sql, Guid id)
    {
        await using var connection = new NpgsqlConnection(host.Database);
        await connection.OpenAsync(HubClient.Cancel);
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        return await command.ExecuteScalarAsync(HubClient.Cancel);
    }
}
