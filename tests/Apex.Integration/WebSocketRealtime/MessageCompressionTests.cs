using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text.Json;
using Apex.Integration.Infrastructure;
using Apex.Platform.Realtime.Hub;

namespace Apex.Integration.WebSocketRealtime;

/// <summary>
/// Plan item 27: the hub negotiates permessage-deflate when the client offers it and sends plain
/// frames when it does not; the bytes on the wire are counted on the client's own socket for the
/// same real payload both ways. A "compression bomb" - a message tiny on the wire that inflates
/// far past the message limit - is refused with 1009 once the inflated bytes pass the limit.
/// </summary>
[PlanItem(27)]
[BusinessValue("All tiers", "Lower bandwidth for real-time traffic",
    "Bandwidth savings worth $5K MRR cost reduction", "Cheaper egress and faster updates on slow links")]
public sealed class MessageCompressionTests(MessageCompressionTests.Host host, ITestOutputHelper output) : IClassFixture<MessageCompressionTests.Host>
{
    public sealed class Host(PostgresServer postgres, RedisServer redis) : RealtimeHost(postgres, redis)
    {
        protected override string Owner => "item27";
    }

    [Fact]
    public async Task Deflate_IsNegotiatedWhenOffered_PlainOtherwise_AndShrinksARealPayloadOnTheWire()
    {
        var payload = RunHistory();
        var (plainBytes, plainExtensions) = await EchoOverTheWireAsync(payload, compress: false);
        var (deflatedBytes, deflatedExtensions) = await EchoOverTheWireAsync(payload, compress: true);
        output.WriteLine($"payload {payload.GetRawText().Length} B; received on the wire x5: plain {plainBytes} B, deflate {deflatedBytes} B");

        Assert.Null(plainExtensions);
        Assert.Contains("permessage-deflate", deflatedExtensions);
        Assert.True(deflatedBytes * 3 < plainBytes, $"deflate {deflatedBytes} B is not under a third of plain {plainBytes} B");
    }

    [Fact]
    public async Task CompressionBomb_IsRefusedWith1009_AndTheInstanceServesOthers()
    {
        var token = host.TokenFor(RealtimeHost.NewUser());
        await using var bomber = await HubClient.ConnectAsync(HubClient.Endpoint(host.A), token, o => o.DangerousDeflateOptions = new WebSocketDeflateOptions());
        await using var bystander = await HubClient.ConnectAsync(HubClient.Endpoint(host.A), host.TokenFor(RealtimeHost.NewUser()));

        try
        {
            // 64 MiB of zeros: about 64 KiB once deflated, a thousand times the hub's 64 KiB message limit once inflated.
            await bomber.SendBinaryAsync(new byte[64 * 1024 * 1024]);
        }
        catch (WebSocketException)
        {
            // The hub may drop the rest of it; what matters is the close it sent.
        }

        var closed = await bomber.ClosedWithinAsync(30);
        await bystander.SendAsync("echo", new { }, id: "still-serving");

        Assert.Equal(WebSocketCloseStatus.MessageTooBig, closed);
        Assert.Equal("still-serving", (await bystander.NextAsync("echo")).Id);
    }

    private async Task<(long Bytes, string? Extensions)> EchoOverTheWireAsync(JsonElement payload, bool compress)
    {
        long received = 0;
        using var handler = CountingHandler(n => Interlocked.Add(ref received, n));
        using var invoker = new HttpMessageInvoker(handler);
        await using var client = await HubClient.ConnectAsync(HubClient.Endpoint(host.A), host.TokenFor(RealtimeHost.NewUser()), o =>
        {
            o.CollectHttpResponseDetails = true;
            if (compress) o.DangerousDeflateOptions = new WebSocketDeflateOptions();
        }, invoker);
        var afterHandshake = Interlocked.Read(ref received);
        for (var i = 0; i < 5; i++)
        {
            await client.SendAsync(new HubFrame("echo", $"e{i}", null, payload));
            await client.NextAsync("echo");
        }

        var extensions = client.Socket.HttpResponseHeaders?.TryGetValue("Sec-WebSocket-Extensions", out var values) == true ? string.Join(",", values) : null;
        return (Interlocked.Read(ref received) - afterHandshake, extensions);
    }

    /// <summary>A handler whose connections report every byte read from the wire: what the server sent, compressed or not.</summary>
    private static SocketsHttpHandler CountingHandler(Action<int> onRead) => new()
    {
        ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
            return new CountingStream(new NetworkStream(socket, ownsSocket: true), onRead);
        },
    };

    // A page of agent-run history, the kind of payload the dashboard streams.
    private static JsonElement RunHistory() => JsonSerializer.SerializeToElement(Enumerable.Range(1, 150).Select(i => new
    {
        runId = $"run-{i:D5}",
        agent = i % 3 == 0 ? "supervisor" : "data-analyst",
        status = i % 7 == 0 ? "failed" : "completed",
        startedAt = new DateTimeOffset(2026, 11, 25, 10, 0, 0, TimeSpan.Zero).AddMinutes(i),
        tokens = new { prompt = 1200 + i, completion = 300 + (i % 50) },
        costUsd = Math.Round(0.0021 * i, 4),
        tags = new[] { "optimization", "gpu", i % 2 == 0 ? "batch" : "interactive" },
    }).ToList());

    private sealed class CountingStream(Stream inner, Action<int> onRead) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await inner.ReadAsync(buffer, cancellationToken);
            onRead(read);
            return read;
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var read = inner.Read(buffer, offset, count);
            onRead(read);
            return read;
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => inner.WriteAsync(buffer, cancellationToken);

        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);

        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

        public override void Flush() => inner.Flush();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
