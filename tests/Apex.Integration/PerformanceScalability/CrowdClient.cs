using System.Net.WebSockets;
using System.Text.Json;
using Apex.Integration.Infrastructure;
using Apex.Platform.Realtime;

namespace Apex.Integration.PerformanceScalability;

/// <summary>
/// One of many real WebSocket clients: small buffers and one shared HTTP invoker, so a thousand of
/// them cost the test process little beyond their sockets. Every wait is bounded.
/// </summary>
public sealed class CrowdClient(ClientWebSocket socket) : IAsyncDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static readonly HttpMessageInvoker Invoker = new(new SocketsHttpHandler());
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    /// <summary>Connects one client per token, <paramref name="parallelism"/> handshakes at a time; each must be welcomed.</summary>
    public static async Task<List<CrowdClient>> ConnectAllAsync(PlatformInstance platform, IEnumerable<string> tokens, int parallelism)
    {
        var clients = new System.Collections.Concurrent.ConcurrentBag<CrowdClient>();
        using var deadline = Deadline();
        await Parallel.ForEachAsync(tokens, new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = deadline.Token }, async (token, ct) =>
        {
            var socket = new ClientWebSocket();
            socket.Options.SetRequestHeader("Authorization", $"Bearer {token}");
            var client = new CrowdClient(socket);
            clients.Add(client);
            await socket.ConnectAsync(platform.WebSocketUri("/ws"), Invoker, ct);
            var welcome = await client.ReceiveAsync(ct);
            if (welcome.Type != "welcome") throw new InvalidOperationException($"Expected a welcome, got {welcome.Type}.");
        });
        return [.. clients];
    }

    /// <summary>The payload of the next message of <paramref name="type"/> on every client.</summary>
    public static async Task<List<string?>> ReceiveFromAllAsync(IReadOnlyList<CrowdClient> clients, string type, int parallelism)
    {
        var payloads = new System.Collections.Concurrent.ConcurrentBag<string?>();
        using var deadline = Deadline();
        await Parallel.ForEachAsync(clients, new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = deadline.Token }, async (client, ct) =>
        {
            RealtimeMessage message;
            do message = await client.ReceiveAsync(ct);
            while (message.Type != type);
            payloads.Add(message.Payload);
        });
        return [.. payloads];
    }

    public ValueTask DisposeAsync()
    {
        socket.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task<RealtimeMessage> ReceiveAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[4096];
        var result = await socket.ReceiveAsync(buffer, cancellationToken);
        return JsonSerializer.Deserialize<RealtimeMessage>(buffer.AsSpan(0, result.Count), Json)!;
    }

    private static CancellationTokenSource Deadline()
    {
        var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        deadline.CancelAfter(Wait);
        return deadline;
    }
}
