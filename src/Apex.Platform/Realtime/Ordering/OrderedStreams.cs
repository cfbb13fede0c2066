using Apex.Platform.Realtime.Hub;
using Microsoft.Extensions.Options;

namespace Apex.Platform.Realtime.Ordering;

/// <summary>
/// "ordered" frames carry a stream name and a sequence number; the hub hands their bodies on
/// ("delivered") strictly in sequence. An early frame waits in a window (Ordering:Window frames
/// ahead at most); the first early frame of a gap asks the client to resend the missing range;
/// a gap still open after Ordering:GapTimeout (platform clock) is reported ("gap") and skipped.
/// Duplicates are dropped.
/// </summary>
internal sealed class OrderedStreams(IOptions<HubOptions> options, TimeProvider time) : IHubHandler, IHubConnectionFeature
{
    public IReadOnlyCollection<string> Types { get; } = ["ordered"];

    public Task OnOpenedAsync(HubConnection connection, HubHandshake handshake) => Task.CompletedTask;

    public async Task OnClosedAsync(HubConnection connection)
    {
        foreach (var stream in connection.Items.Values.OfType<OrderedStream>()) await stream.DisposeAsync();
    }

    public Task HandleAsync(HubMessage message)
    {
        var request = message.Frame.DataAs<OrderedRequest>();
        if (string.IsNullOrWhiteSpace(request?.Stream) || message.Frame.Seq is not { } seq || seq < 1)
        {
            throw new HubException("bad-ordered", "An ordered frame needs data.stream and a seq from 1.");
        }

        var stream = (OrderedStream)message.Connection.Items.GetOrAdd($"ordering:{request.Stream}",
            _ => new OrderedStream(request.Stream, message.Connection, options.Value.Ordering, time));
        stream.Accept(seq, request.Body);
        return Task.CompletedTask;
    }

    private sealed record OrderedRequest(string? Stream, System.Text.Json.JsonElement Body);
}
