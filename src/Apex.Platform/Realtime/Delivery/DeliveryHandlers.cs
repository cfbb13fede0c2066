using System.Text.Json;
using Apex.Platform.Realtime.Hub;

namespace Apex.Platform.Realtime.Delivery;

/// <summary>
/// What clients send about delivery: "ack" (the last sequence they hold), "subscribe" (a topic of
/// their tenant) and "publish" (a message from one tab to the user's other tabs, the tenant or a
/// topic; its id makes a retried publish harmless).
/// </summary>
internal sealed class DeliveryHandlers(HubSessions sessions, MessageRouter router) : IHubHandler
{
    public IReadOnlyCollection<string> Types { get; } = [HubFrameTypes.Ack, "subscribe", "publish"];

    public Task HandleAsync(HubMessage message) => message.Frame.Type switch
    {
        HubFrameTypes.Ack => AckAsync(message),
        "subscribe" => SubscribeAsync(message),
        _ => PublishAsync(message),
    };

    private async Task AckAsync(HubMessage message)
    {
        if (message.Frame.Seq is { } seq) await sessions.AckAsync(message.Connection.SessionId, seq);
    }

    private async Task SubscribeAsync(HubMessage message)
    {
        var topic = message.Frame.DataAs<TopicRequest>()?.Topic;
        if (string.IsNullOrWhiteSpace(topic) || topic.Length > 100) throw new HubException("bad-topic", "Name a topic of 1 to 100 characters.");
        await sessions.SubscribeAsync(message.Connection.SessionId, message.Connection.User.TenantId, topic);
        message.Reply(HubFrame.Of("subscribed", new { topic }, message.Frame.Id));
    }

    private async Task PublishAsync(HubMessage message)
    {
        var request = message.Frame.DataAs<PublishRequest>();
        if (string.IsNullOrWhiteSpace(message.Frame.Id) || request is null || string.IsNullOrWhiteSpace(request.Type))
        {
            throw new HubException("bad-publish", "A publish needs an id and data with a type, a target (user, tenant or topic) and a body.");
        }

        var user = message.Connection.User;
        var target = request.Target switch
        {
            "tenant" => new DeliveryTarget(user.TenantId),
            "topic" when !string.IsNullOrWhiteSpace(request.Topic) => new DeliveryTarget(user.TenantId, Topic: request.Topic),
            "user" or null => new DeliveryTarget(user.TenantId, user.UserId),
            _ => throw new HubException("bad-target", "The target is 'user', 'tenant' or 'topic' (with a topic)."),
        };
        // Message ids are scoped to the user, so one user cannot suppress another's messages by guessing ids.
        var delivered = await router.RouteAsync(new RoutedMessage($"{user.UserId:N}:{message.Frame.Id}", target, request.Type, request.Body, request.Durable ?? true));
        message.Reply(HubFrame.Of("published", new { sessions = delivered, duplicate = delivered == 0 }, message.Frame.Id));
    }

    private sealed record TopicRequest(string? Topic);

    private sealed record PublishRequest(string? Type, string? Target, string? Topic, JsonElement Body, bool? Durable);
}
