using System.Net.WebSockets;
using System.Text.Json;

namespace Apex.Platform.Realtime.Hub;

/// <summary>
/// Hands each inbound frame to its handler in a DI scope of its own (so a handler's database
/// connection and transaction live exactly as long as the message). A handler that fails gets
/// the client an error frame naming the message; the connection goes on.
/// </summary>
public sealed class HubDispatcher(IServiceScopeFactory scopes, IEnumerable<IHubHandler> handlers, IEnumerable<IHubBinaryHandler> binary)
{
    private readonly Dictionary<string, IHubHandler> _byType = handlers.SelectMany(h => h.Types.Select(t => (t, h))).ToDictionary(p => p.t, p => p.h);
    private readonly IHubBinaryHandler? _binary = binary.FirstOrDefault();

    public static HubFrame? Parse(ReadOnlySpan<byte> text)
    {
        try
        {
            var frame = JsonSerializer.Deserialize<HubFrame>(text, HubFrame.Json);
            return string.IsNullOrWhiteSpace(frame?.Type) ? null : frame;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public async Task DispatchAsync(HubConnection connection, HubFrame frame)
    {
        if (!_byType.TryGetValue(frame.Type, out var handler))
        {
            connection.Send(HubFrame.Error("unknown-type", $"Unknown message type '{frame.Type}'.", frame.Id));
            return;
        }

        await using var scope = scopes.CreateAsyncScope();
        await GuardAsync(connection, frame.Id, () => handler.HandleAsync(new HubMessage(connection, frame, scope.ServiceProvider)));
    }

    public async Task DispatchBinaryAsync(HubConnection connection, ReadOnlyMemory<byte> payload)
    {
        if (_binary is null)
        {
            connection.Send(HubFrame.Error("binary-not-accepted", "This hub takes no binary frames."));
            return;
        }

        await using var scope = scopes.CreateAsyncScope();
        await GuardAsync(connection, null, () => _binary.HandleAsync(connection, payload, scope.ServiceProvider));
    }

    private static async Task GuardAsync(HubConnection connection, string? messageId, Func<Task> handle)
    {
        try
        {
            await handle();
        }
        catch (HubException e)
        {
            connection.Send(HubFrame.Error(e.Code, e.Message, messageId));
        }
        catch (Exception e) when (e is not OperationCanceledException && e is not WebSocketException && !connection.Lifetime.IsCancellationRequested)
        {
            // What failed inside stays in the server's logs; the client learns the message had no effect.
            connection.Send(HubFrame.Error("handler-failed", "The message could not be handled; nothing it wrote was kept.", messageId));
        }
    }
}

/// <summary>A refusal a handler means the client to read: its code and detail go into the error frame.</summary>
public sealed class HubException(string code, string detail) : Exception(detail)
{
    public string Code { get; } = code;
}
