using System.Text.Json;
using Apex.Platform.Caching;
using StackExchange.Redis;

namespace Apex.Platform.Auth.Events;

/// <summary>Something every instance must react to at once: a session ended, a tenant's permissions changed.</summary>
public sealed record AuthEvent(string Kind, Guid TenantId, Guid? UserId = null, string? SessionId = null, string? Reason = null)
{
    public const string SessionEnded = "session-ended";
    public const string PermissionsChanged = "permissions-changed";
}

/// <summary>
/// Auth events over Redis pub/sub. The publishing instance receives its own events too, so one code
/// path serves local and remote listeners. Pub/sub is a notification, not the source of truth:
/// decisions read Redis and PostgreSQL, so a lost message delays a push, never a refusal.
/// </summary>
public sealed class AuthEventBus(IConnectionMultiplexer redis, RedisKeys keys, ILogger<AuthEventBus> logger)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private RedisChannel Channel => keys.Channel("auth:events");

    public async Task PublishAsync(AuthEvent authEvent) =>
        await redis.GetSubscriber().PublishAsync(Channel, JsonSerializer.Serialize(authEvent, Json));

    /// <summary>Returns once Redis has confirmed the subscription; handlers run one message at a time, in order.</summary>
    public async Task SubscribeAsync(Func<AuthEvent, Task> handler)
    {
        var queue = await redis.GetSubscriber().SubscribeAsync(Channel);
        queue.OnMessage(async message =>
        {
            try
            {
                var authEvent = JsonSerializer.Deserialize<AuthEvent>(message.Message.ToString(), Json);
                if (authEvent is not null) await handler(authEvent);
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException or System.Net.WebSockets.WebSocketException)
            {
                logger.LogWarning(e, "An auth event could not be handled");
            }
        });
    }
}
