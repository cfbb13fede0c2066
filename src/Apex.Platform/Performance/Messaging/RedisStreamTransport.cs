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

    // Adds, in order, as many of the (key, body) pairs after ARGV[1] as the backlog has room for;
    // returns how many it added and the stream's length after.
    private const string BoundedAddMany = """
        local n = math.min(tonumber(ARGV[1]) - redis.call('XLEN', KEYS[1]), (#ARGV - 1) / 2)
        if n < 0 then n = 0 end
        for i = 1, n do redis.call('XADD', KEYS[1], '*', 'k', ARGV[2 * i], 'b', ARGV[2 * i + 1]) end
        return { n, redis.call('XLEN', KEYS[1]) }
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

    /// <summary>
    /// Publishes many messages with one script call per partition stream rather than one per
    /// message. Each call adds, in order, as many as the stream's backlog has room for; the rest
    /// wait for the consumers as in <see cref="PublishAsync"/>. A partition's messages go in as one
    /// sequence, so each key keeps the order it has in <paramref name="messages"/>.
    /// </summary>
    public Task PublishBatchAsync(IReadOnlyList<KeyedMessage> messages, CancellationToken cancellationToken) =>
        Task.WhenAll(messages.GroupBy(m => StreamOf(m.Key)).Select(g => PublishToStreamAsync(g.Key, [.. g], cancellationToken)));

    private async Task PublishToStreamAsync(RedisKey stream, KeyedMessage[] messages, CancellationToken cancellationToken)
    {
        var database = redis.GetDatabase();
        var waited = false;
        for (var next = 0; ;)
        {
            var arguments = new RedisValue[1 + 2 * (messages.Length - next)];
            arguments[0] = maxBacklog;
            for (var i = next; i < messages.Length; i++)
            {
                arguments[1 + 2 * (i - next)] = messages[i].Key;
                arguments[2 + 2 * (i - next)] = messages[i].Body;
            }

            var result = (RedisResult[])(await database.ScriptEvaluateAsync(BoundedAddMany, [stream], arguments))!;
            var added = (int)result[0];
            if (added > 0) monitor.OnPublished(added, (long)result[1]);
            next += added;
            if (next == messages.Length) return;
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
