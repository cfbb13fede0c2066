using System.Text.Json;
using Apex.Platform.Caching;
using Apex.Platform.Realtime.Delivery;
using Apex.Platform.Realtime.Hub;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Apex.Platform.Realtime.Tabs;

/// <summary>
/// One leader among a user's open tabs (connections), elected through a lease in Redis whose
/// expiry is platform time, so every instance judges it by the same clock. The leader tab keeps
/// the lease by sending "leader.renew"; every other tab checks four times per lease and takes a
/// vacant or lapsed lease (but never its own lapsed one). A closing leader gives the lease up at once. Each election is told to
/// all of the user's tabs ("leader"), and a tab that opens is told who leads.
/// </summary>
internal sealed class TabLeaderElection(IConnectionMultiplexer redis, RedisKeys keys, MessageRouter router, IOptions<HubOptions> options, TimeProvider time)
    : IHubConnectionFeature, IHubHandler
{
    private const string TimerKey = "leader-timer";

    // Returns the holder; "+id" when this call made the caller the holder. A check (ARGV[4] = 0)
    // never takes back the caller's own lapsed lease: a leader tab that stopped renewing must be
    // replaced by another tab, not re-elected by its own connection's timer. Only a renew does that.
    private const string ClaimScript = """
        local h = redis.call('HMGET', KEYS[1], 'holder', 'expires')
        local live = h[1] and tonumber(h[2]) > tonumber(ARGV[2])
        if live and h[1] ~= ARGV[1] then return h[1] end
        if live and ARGV[4] == '0' then return ARGV[1] end
        if h[1] == ARGV[1] and ARGV[4] == '0' then return h[1] end
        redis.call('HSET', KEYS[1], 'holder', ARGV[1], 'expires', ARGV[3])
        redis.call('PEXPIRE', KEYS[1], 86400000)
        if live then return ARGV[1] end
        return '+' .. ARGV[1]
        """;

    private const string ReleaseScript = """
        if redis.call('HGET', KEYS[1], 'holder') == ARGV[1] then return redis.call('DEL', KEYS[1]) end
        return 0
        """;

    private TimeSpan Lease => options.Value.Leader.Lease;

    public IReadOnlyCollection<string> Types { get; } = ["leader.renew"];

    public async Task OnOpenedAsync(HubConnection connection, HubHandshake handshake)
    {
        var holder = await ClaimAsync(connection, renew: false);
        if (holder != connection.Id) connection.Send(HubFrame.Of("leader", new { leader = holder }));
        var every = Lease / 4;
        connection.Items[TimerKey] = time.CreateTimer(_ => _ = CheckSafelyAsync(connection), null, every, every);
    }

    public async Task OnClosedAsync(HubConnection connection)
    {
        if (connection.Items.GetValueOrDefault(TimerKey) is ITimer timer) await timer.DisposeAsync();
        try
        {
            await redis.GetDatabase().ScriptEvaluateAsync(ReleaseScript, [LeaseKey(connection)], [connection.Id]);
        }
        catch (RedisException)
        {
            // The lease lapses by itself.
        }
    }

    public async Task HandleAsync(HubMessage message)
    {
        if (await ClaimAsync(message.Connection, renew: true) != message.Connection.Id)
        {
            throw new HubException("not-leader", "Another tab leads; only the leader renews the lease.");
        }

        message.Reply(HubFrame.Of("leader.renewed", new { expiresAt = time.GetUtcNow() + Lease }, message.Frame.Id));
    }

    private async Task CheckSafelyAsync(HubConnection connection)
    {
        try
        {
            if (connection.IsOpen) await ClaimAsync(connection, renew: false);
        }
        catch (RedisException)
        {
            // The next check tries again.
        }
    }

    /// <summary>Claims a vacant or lapsed lease (or extends one's own when renewing); returns the holder, announcing a new one.</summary>
    private async Task<string> ClaimAsync(HubConnection connection, bool renew)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var result = (string)(await redis.GetDatabase().ScriptEvaluateAsync(ClaimScript, [LeaseKey(connection)],
            [connection.Id, now, now + (long)Lease.TotalMilliseconds, renew ? "1" : "0"]))!;
        if (!result.StartsWith('+')) return result;
        var user = connection.User;
        await router.RouteAsync(new RoutedMessage(Guid.NewGuid().ToString("N"), new DeliveryTarget(user.TenantId, user.UserId), "leader",
            JsonSerializer.SerializeToElement(new { leader = connection.Id }), Durable: false));
        return result[1..];
    }

    private RedisKey LeaseKey(HubConnection connection) => keys.Key($"rt:leader:{connection.User.UserId}");
}
