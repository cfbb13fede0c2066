using System.Text.Json;
using Apex.Platform.Caching;
using Apex.Platform.Realtime.Hub;
using StackExchange.Redis;

namespace Apex.Platform.Realtime.Delivery;

/// <summary>
/// Listens for delivery notices from any instance and wakes the local sockets of the sessions
/// named. Subscribed before the instance takes requests, so no notice after start is missed;
/// one missed anyway (a dropped Redis link) is repaired by the next notice or reconnect, since
/// the buffer in Redis, not the notice, is what gets sent.
/// </summary>
internal sealed class DeliveryListener(IConnectionMultiplexer redis, RedisKeys keys, HubRegistry registry) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) =>
        redis.GetSubscriber().SubscribeAsync(keys.Channel(MessageRouter.DeliverChannel), (_, value) => OnNotice(value.ToString()));

    public Task StopAsync(CancellationToken cancellationToken) =>
        redis.GetSubscriber().UnsubscribeAsync(keys.Channel(MessageRouter.DeliverChannel));

    private void OnNotice(string json)
    {
        var notice = JsonSerializer.Deserialize<DeliveryNotice>(json, HubFrame.Json);
        if (notice is null) return;
        foreach (var session in notice.Sessions)
        {
            foreach (var connection in registry.OfSession(session))
            {
                if (notice.Live is { } live) connection.Send(live);
                else SessionDelivery.Wake(connection);
            }
        }
    }
}
