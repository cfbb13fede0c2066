using System.Text.Json;
using Apex.Platform.Auth;
using Apex.Platform.Realtime.Client;
using Apex.Platform.Realtime.Delivery;
using Apex.Platform.Realtime.Hub;

namespace Apex.Integration.WebSocketRealtime;

/// <summary>
/// The platform's own reconnecting clients, owned by one test: started here and disposed together,
/// even when the test fails, so none keeps reconnecting after it. Also the traffic the shutdown and
/// load-balancing tests send them: numbered durable messages to one user, read back in order.
/// </summary>
public sealed class ResumingClients : IAsyncDisposable
{
    private readonly List<ReconnectingHubClient> _clients = [];

    /// <summary>Starts a client on the endpoints (tried in turn) and waits for its first welcome.</summary>
    public async Task<(ReconnectingHubClient Client, HubFrame Welcome)> StartAsync(IReadOnlyList<Uri> endpoints, string token)
    {
        var client = new ReconnectingHubClient(endpoints, () => token, TimeProvider.System);
        _clients.Add(client);
        client.Start();
        return (client, await HubClient.WithinAsync(client.Welcomes));
    }

    /// <summary>Disposes one client before the rest (it landed where the test did not want it).</summary>
    public async Task DropAsync(ReconnectingHubClient client)
    {
        _clients.Remove(client);
        await client.DisposeAsync();
    }

    /// <summary>Routes messages m{from}..m{to} to each user (durable, so buffered for replay), in order.</summary>
    public static async Task RouteAsync(MessageRouter router, IEnumerable<PlatformUser> users, int from, int to)
    {
        for (var i = from; i <= to; i++)
        {
            foreach (var user in users)
            {
                await router.RouteAsync(new RoutedMessage($"m{i}-{user.Id:N}", new DeliveryTarget(user.TenantId, user.Id), "note", JsonSerializer.SerializeToElement($"m{i}")));
            }
        }
    }

    /// <summary>The next <paramref name="count"/> "message" frames of a client, skipping its other frames (leader notices).</summary>
    public static async Task<List<HubFrame>> ReadMessagesAsync(ReconnectingHubClient client, int count)
    {
        var messages = new List<HubFrame>();
        while (messages.Count < count)
        {
            var frame = await HubClient.WithinAsync(client.Frames);
            if (frame.Type == HubFrameTypes.Message) messages.Add(frame);
        }

        return messages;
    }

    /// <summary>The numbers n of the messages "m{n}" read, in the order they arrived.</summary>
    public static IEnumerable<int> Numbers(IEnumerable<HubFrame> messages) =>
        messages.Select(m => int.Parse(m.Data!.Value.GetProperty("body").GetString()!.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture));

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients) await client.DisposeAsync();
    }
}
