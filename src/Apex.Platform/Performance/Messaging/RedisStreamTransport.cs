using StackExchange.Redis;

namespace Apex.Platform.Performance.Messaging;

/// <summary>
/// Carries keyed messages between platform instances over Redis Streams: one stream per
/// partition (a key always maps to the same one), read by one consumer group. The backlog of a
/// stream is bounded: a publish is refused atomically (checked and added in one script) once the
/// stream holds <c>maxBacklog</c> unhandled entries, and <see cref="PublishAsync"/> then waits for
/// consumers to make room. Consumers acknowledge and delete what they handled, so the stream's
/// length is exactly its backlog.
/// </summary>
public sealed class RedisStreamTransport(IConnectionMultiplexer redis, string streamPrefix, int partitions, int maxBacklog, ThroughputMonitor monitor, TimeProvider time)
{
    // Returns the stream's length after the add, or -1 when the backlog is full.
    private const string BoundedAdd = """
        if redis.call('XLEN', KEYS[1]) >= tonumber(ARGV[1]) then return -1 end
        redis.call('XADD', KEYS[1], '*', 'k', ARGV[2], 'b', ARGV[3])
        return redis.call('XLEN', KEYS[1])
        """;

    public static readonly TimeSpan RetryInterval = TimeSpan.FromMilliseconds(5);

    public ThroughputMonitor Monitor => monitor;

    public int MaxBacklog => maxBacklog;

    public int Partitions => partitions;

    public RedisKey StreamOf(int partition) => $"{streamPrefix}{partition}";

    public RedisKey StreamOf(string key) => StreamOf((int)((uint)KeyedMessagePipeline.StableHash(key) % (uint)partitions));

    /// <summary>Adds the message unless its stream's backlog is full; false tells the producer to back off.</summary>
    public async Task<bool> TryPublishAsync(KeyedMessage message)
    {
        var length = (long)await redis.GetDatabase().ScriptEvaluateAsync(BoundedAdd, [StreamOf(message.Key)], [maxBacklog, message.Key, message.Body]);
        if (length < 0)
        {
            monitor.OnRefused();
            return false;
        }

        monitor.OnPublished(length);
        return true;
    }

    /// <summary>Publishes, waiting while the stream is full: the producer is slowed to the consumers' pace.</summary>
    public async Task PublishAsync(KeyedMessage message, CancellationToken cancellationToken)
    {
        var waited = false;
        while (true)
        {
            var length = (long)await redis.GetDatabase().ScriptEvaluateAsync(BoundedAdd, [StreamOf(message.Key)], [maxBacklog, message.Key, message.Body]);
            if (length >= 0)
            {
                monitor.OnPublished(length);
                return;
            }

            if (!waited) monitor.OnProducerWait();
            waited = true;
            await Task.Delay(RetryInterval, time, cancellationToken);
        }
    }

    /// <summary>Unhandled entries across all partitions.</summary>
    public async Task<long> BacklogAsync()
    {
        var database = redis.GetDatabase();
        long total = 0;
        for (var i = 0; i < partitions; i++) total += await database.StreamLengthAsync(StreamOf(i));
        return total;
    }

    /// <summary>Starts consuming every partition as member <paramref name="consumer"/> of <paramref name="group"/>.</summary>
    public async Task<RedisStreamConsumer> ConsumeAsync(string group, string consumer, Func<KeyedMessage, CancellationToken, ValueTask> handler)
    {
        var database = redis.GetDatabase();
        for (var i = 0; i < partitions; i++)
        {
            try
            {
                await database.StreamCreateConsumerGroupAsync(StreamOf(i), group, "0-0", createStream: true);
            }
            catch (RedisServerException e) when (e.Message.StartsWith("BUSYGROUP", StringComparison.Ordinal))
            {
                // Another instance created it first: the group is shared, that is the point.
            }
        }

        return new RedisStreamConsumer(this, database, group, consumer, handler, time);
    }
}
