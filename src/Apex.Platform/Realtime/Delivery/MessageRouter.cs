using System.Text.Json;
using Apex.Platform.Caching;
using Apex.Platform.Realtime.Hub;
using StackExchange.Redis;

namespace Apex.Platform.Realtime.Delivery;

/// <summary>
/// Routes a message to the sessions its target reaches. Durable messages are appended to each
/// session's buffer (sequenced, deduplicated by message id) and every instance is told which
/// sessions have something new; instances with a socket of such a session send it. Live-only
/// messages (presence, typing) skip the buffer: whoever is connected now gets them, nobody later.
/// </summary>
public sealed class MessageRouter(HubSessions sessions, IConnectionMultiplexer redis, RedisKeys keys)
{
    public const string DeliverChannel = "rt:deliver";

    /// <summary>The number of sessions the message was newly given to (0 when every one had it already).</summary>
    public async Task<int> RouteAsync(RoutedMessage message)
    {
        var targets = await sessions.ResolveAsync(message.Target);
        if (!message.Durable)
        {
            await NotifyAsync(new DeliveryNotice([.. targets], new HubFrame(message.Type, message.Id, null, message.Data)));
            return targets.Count;
        }

        var appended = new List<string>();
        foreach (var session in targets)
        {
            if (await sessions.AppendAsync(session, message.Id, message.Type, message.Data) is not null) appended.Add(session);
        }

        if (appended.Count > 0) await NotifyAsync(new DeliveryNotice([.. appended], null));
        return appended.Count;
    }

    private Task NotifyAsync(DeliveryNotice notice) =>
        redis.GetSubscriber().PublishAsync(keys.Channel(DeliverChannel), JsonSerializer.Serialize(notice, HubFrame.Json));
}

/// <summary>A message for the hub's clients. <paramref name="Id"/> is its identity: the same id is delivered once per session.</summary>
public sealed record RoutedMessage(string Id, DeliveryTarget Target, string Type, JsonElement Data, bool Durable = true);

/// <summary>Told to every instance: these sessions have new buffered messages, or here is a live-only frame for them.</summary>
public sealed record DeliveryNotice(string[] Sessions, HubFrame? Live);
