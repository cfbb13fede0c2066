using System.Collections.Concurrent;
using Apex.Integration.Infrastructure;
using Apex.Platform.Performance.Messaging;
using StackExchange.Redis;

namespace Apex.Integration.PerformanceScalability;

/// <summary>
/// Plan item 77: a producer faster than its consumer meets backpressure — the queue stays within
/// its bound, the producer is slowed (or told "full"), nothing is lost and each key keeps its order
/// — in process (bounded channels) and between instances (Redis Streams). The 10,000 msg/s figure
/// is the benchmark's (benchmarks/Apex.Platform.Benchmarks, MessagePipelineBenchmarks).
/// </summary>
[PlanItem(77)]
[BusinessValue("Enterprise", "High-volume messaging without loss",
    "High volume worth $10K MRR enterprise capability", "Enterprise traffic bursts are absorbed by backpressure instead of dropped messages")]
public sealed class MessageThroughputTests(RedisServer redis)
{
    private const int Messages = 600;
    private const int Keys = 6;
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task InProcessPipeline_SlowsProducerAndKeepsOrderPerKey_WhenConsumerIsSlower()
    {
        var consumer = new GatedConsumer();
        var monitor = new ThroughputMonitor(TimeProvider.System);
        await using var pipeline = new KeyedMessagePipeline(partitions: 3, capacity: 16, consumer.HandleAsync, monitor);

        var producer = Task.Run(async () =>
        {
            for (var i = 0; i < Messages; i++) await pipeline.PublishAsync(Message(i), Cancel);
        }, Cancel);
        await Eventually.TrueAsync(() => Task.FromResult(monitor.ProducerWaits > 0));
        var refusals = Enumerable.Range(0, Keys).Count(k => !pipeline.TryPublish(new KeyedMessage($"key-{k}", "-1")));

        Assert.False(producer.IsCompleted);
        Assert.InRange(refusals, 1, Keys);
        Assert.Equal(refusals, monitor.Refused);
        consumer.Open();
        await producer;
        await pipeline.CompleteAsync();

        Assert.Equal(Messages + Keys - refusals, monitor.Delivered);
        Assert.InRange(monitor.MaxDepth, 1, pipeline.Capacity);
        AssertCompleteAndOrderedPerKey(consumer.Received);
    }

    [Fact]
    public async Task RedisStreams_BoundBacklogAndDeliverEverythingInOrder_BetweenInstances()
    {
        var prefix = RedisServer.NewKeyPrefix("item77") + "stream:";
        await using var producerSide = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        await using var consumerSide = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var sent = new RedisStreamTransport(producerSide, prefix, partitions: 3, maxBacklog: 20, new ThroughputMonitor(TimeProvider.System), TimeProvider.System);
        var taken = new RedisStreamTransport(consumerSide, prefix, partitions: 3, maxBacklog: 20, new ThroughputMonitor(TimeProvider.System), TimeProvider.System);
        var consumer = new GatedConsumer();
        await using var consuming = await taken.ConsumeAsync("workers", "instance-b", consumer.HandleAsync);

        var producer = Task.Run(() => PublishEachAsync(sent), Cancel);
        await Eventually.TrueAsync(() => Task.FromResult(sent.Monitor.ProducerWaits > 0));
        var backlogWhileBlocked = await sent.BacklogAsync();
        var refused = await Task.WhenAll(Enumerable.Range(0, Keys).Select(k => sent.TryPublishAsync(new KeyedMessage($"key-{k}", "-1"))));

        Assert.False(producer.IsCompleted);
        Assert.InRange(backlogWhileBlocked, 20, 3 * 20);
        Assert.Contains(false, refused);
        consumer.Open();
        await producer;
        var expected = Messages + refused.Count(r => r);
        await Eventually.TrueAsync(async () => taken.Monitor.Delivered == expected && await sent.BacklogAsync() == 0, seconds: 30);

        Assert.InRange(sent.Monitor.MaxDepth, 1, sent.MaxBacklog);
        AssertCompleteAndOrderedPerKey(consumer.Received);
    }

    [Fact]
    public async Task RedisStreams_PublishBatchWaitsForRoomAndKeepsOrder_WhenConsumerIsSlower()
    {
        var prefix = RedisServer.NewKeyPrefix("item77") + "batch:";
        await using var producerSide = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        await using var consumerSide = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var sent = new RedisStreamTransport(producerSide, prefix, partitions: 3, maxBacklog: 20, new ThroughputMonitor(TimeProvider.System), TimeProvider.System);
        var taken = new RedisStreamTransport(consumerSide, prefix, partitions: 3, maxBacklog: 20, new ThroughputMonitor(TimeProvider.System), TimeProvider.System);
        var consumer = new GatedConsumer();
        await using var consuming = await taken.ConsumeAsync("workers", "instance-b", consumer.HandleAsync);

        // Batches of 50, one after the other: each batch is more than the three streams' bounds hold.
        var producer = Task.Run(async () =>
        {
            foreach (var batch in Enumerable.Range(0, Messages).Chunk(50)) await sent.PublishBatchAsync([.. batch.Select(Message)], Cancel);
        }, Cancel);
        await Eventually.TrueAsync(() => Task.FromResult(sent.Monitor.ProducerWaits > 0));
        var backlogWhileBlocked = await sent.BacklogAsync();

        Assert.False(producer.IsCompleted);
        Assert.InRange(backlogWhileBlocked, 20, 3 * 20);
        consumer.Open();
        await producer;
        await Eventually.TrueAsync(async () => taken.Monitor.Delivered == Messages && await sent.BacklogAsync() == 0, seconds: 30);

        Assert.Equal(Messages, sent.Monitor.Published);
        Assert.InRange(sent.Monitor.MaxDepth, 1, sent.MaxBacklog);
        AssertCompleteAndOrderedPerKey(consumer.Received);
    }

    private static async Task PublishEachAsync(RedisStreamTransport sent)
    {
        for (var i = 0; i < Messages; i++) await sent.PublishAsync(Message(i), Cancel);
    }

    /// <summary>Holds every message until opened, then records each key's bodies in the order they arrive.</summary>
    private sealed class GatedConsumer
    {
        private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ConcurrentDictionary<string, ConcurrentQueue<int>> Received { get; } = new();

        public void Open() => _gate.SetResult();

        public async ValueTask HandleAsync(KeyedMessage message, CancellationToken token)
        {
            await _gate.Task.WaitAsync(token);
            Received.GetOrAdd(message.Key, _ => new()).Enqueue(int.Parse(message.Body, System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    private static KeyedMessage Message(int i) => new($"key-{i % Keys}", i.ToString(System.Globalization.CultureInfo.InvariantCulture));

    // Every message of the producer arrived once, in its order within the key; the extra "-1"
    // messages published while the queue was full may sit anywhere in their key's sequence.
    private static void AssertCompleteAndOrderedPerKey(ConcurrentDictionary<string, ConcurrentQueue<int>> received)
    {
        for (var k = 0; k < Keys; k++)
        {
            var sequence = received[$"key-{k}"].Where(n => n >= 0).ToList();
            var expected = Enumerable.Range(0, Messages).Where(i => i % Keys == k).ToList();
            Assert.Equal(expected, sequence);
        }
    }
}
