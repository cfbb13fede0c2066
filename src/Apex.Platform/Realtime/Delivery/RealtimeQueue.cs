using System.Text.Json;
using Apex.Platform.Caching;
using Apex.Platform.Realtime.Hub;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Apex.Platform.Realtime.Delivery;

/// <summary>
/// The queue other services put hub messages on: a Redis Stream read by the consumer group of
/// all hub instances. Each entry is routed by one instance and acknowledged after routing; an
/// entry its consumer never acknowledged (the consumer died) is claimed by another instance once
/// it has been idle for Queue:ClaimAfter. Routing twice is harmless: sessions drop a message id
/// they already have.
/// </summary>
public sealed class RealtimeQueue(IConnectionMultiplexer redis, RedisKeys keys, MessageRouter router, HubInstance instance,
    IOptions<HubOptions> options, TimeProvider time) : IHostedService, IAsyncDisposable
{
    public const string Group = "hub";
    private const string Field = "message";
    private readonly SemaphoreSlim _draining = new(1, 1);
    private ITimer? _sweep;

    private RedisKey Stream => keys.Key("rt:queue");

    private RedisChannel WakeChannel => keys.Channel("rt:queue:wake");

    /// <summary>Puts a message on the queue and wakes the consumers.</summary>
    public async Task EnqueueAsync(RoutedMessage message)
    {
        var db = redis.GetDatabase();
        await db.StreamAddAsync(Stream, Field, JsonSerializer.Serialize(message, HubFrame.Json));
        await redis.GetSubscriber().PublishAsync(WakeChannel, "1");
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await redis.GetDatabase().StreamCreateConsumerGroupAsync(Stream, Group, StreamPosition.Beginning, createStream: true);
        }
        catch (RedisServerException e) when (e.Message.StartsWith("BUSYGROUP", StringComparison.Ordinal))
        {
            // Another instance created it first.
        }

        await redis.GetSubscriber().SubscribeAsync(WakeChannel, (_, _) => _ = DrainSafelyAsync(claim: false));
        var every = options.Value.SweepInterval;
        _sweep = time.CreateTimer(_ => _ = DrainSafelyAsync(claim: true), null, every, every);
        _ = DrainSafelyAsync(claim: false);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_sweep is not null) await _sweep.DisposeAsync();
        await redis.GetSubscriber().UnsubscribeAsync(WakeChannel);
        // Nothing starts a drain any more; let the one in flight (if any) finish before the host goes on,
        // unless the host's stop deadline passes first (a drain is bounded by Redis' own timeouts).
        try
        {
            await _draining.WaitAsync(cancellationToken);
            _draining.Release();
        }
        catch (OperationCanceledException)
        {
            // What it had not acknowledged stays pending for another instance's sweep.
        }
    }

    /// <summary>Reads new entries (or claims abandoned ones) and routes them until none are left.</summary>
    internal async Task DrainSafelyAsync(bool claim)
    {
        await _draining.WaitAsync();
        try
        {
            if (claim) await ClaimAbandonedAsync();
            while (await ReadNewAsync() > 0)
            {
            }
        }
        catch (Exception e) when (e is RedisException or ObjectDisposedException or JsonException)
        {
            // Unacknowledged entries stay pending and are claimed by a later sweep.
        }
        finally
        {
            _draining.Release();
        }
    }

    private async Task<int> ReadNewAsync()
    {
        var entries = await redis.GetDatabase().StreamReadGroupAsync(Stream, Group, instance.Id, StreamPosition.NewMessages, count: 100);
        await RouteAsync(entries);
        return entries.Length;
    }

    private async Task ClaimAbandonedAsync()
    {
        var idle = (long)options.Value.ClaimAfterMilliseconds();
        var claimed = await redis.GetDatabase().StreamAutoClaimAsync(Stream, Group, instance.Id, idle, "0-0", count: 100);
        await RouteAsync(claimed.ClaimedEntries);
    }

    private async Task RouteAsync(StreamEntry[] entries)
    {
        foreach (var entry in entries.Where(e => !e.IsNull))
        {
            var message = JsonSerializer.Deserialize<RoutedMessage>(entry[Field].ToString(), HubFrame.Json)!;
            await router.RouteAsync(message);
            await redis.GetDatabase().StreamAcknowledgeAsync(Stream, Group, entry.Id);
        }
    }

    // The semaphore is not disposed: a drain started by a wake or sweep just before the stop may
    // still release it, and a SemaphoreSlim whose wait handle was never asked for holds nothing.
    public async ValueTask DisposeAsync()
    {
        if (_sweep is not null) await _sweep.DisposeAsync();
    }
}

internal static class QueueOptionsExtensions
{
    public static double ClaimAfterMilliseconds(this HubOptions options) => options.Queue.ClaimAfter.TotalMilliseconds;
}
