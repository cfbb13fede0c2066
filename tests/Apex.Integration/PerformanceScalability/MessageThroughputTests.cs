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
        var consumerGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var received = new ConcurrentDictionary<string, ConcurrentQueue<int>>();
        var monitor = new ThroughputMonitor(TimeProvider.System);
        await using var pipeline = new KeyedMessagePipeline(partitions: 3, capacity: 16, async (message, token) =>
        {
            await consumerGate.Task.WaitAsync(token);
            received.GetOrAdd(message.Key, _ => new()).Enqueue(int.Parse(message.Body, System.Globalization.CultureInfo.InvariantCulture));
        }, monitor);

        var producer = Task.Run(async () =>
        {
            for (var i = 0; i < Messages; i++) await pipeline.PublishAsync(Message(i), Cancel);
        }, Cancel);
        await Eventually.TrueAsync(() => Task.FromResult(monitor.ProducerWaits > 0));
        var refusals = Enumerable.Range(0, Keys).Count(k => !pipeline.TryPublish(new KeyedMessage($"key-{k}", "-1")));

        Assert.False(producer.IsCompleted);
        Assert.InRange(refusals, 1, Keys);
        Assert.Equal(refusals, monitor.Refused);
        consumerGate.SetResult();
        await producer;
        await pipeline.CompleteAsync();

        Assert.Equal(Messages + Keys - refusals, monitor.Delivered);
        Assert.InRange(monitor.MaxDepth, 1, pipeline.Capacity);
        AssertCompleteAndOrderedPerKey(received);
    }

    [Fact]
    public async Task RedisStreams_BoundBacklogAndDeliverEverythingInOrder_BetweenInstances()
    {
        var prefix = RedisServer.NewKeyPrefix("item77") + "stream:";
        await using var producerSide = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        await using var consumerSide = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var sent = new RedisStreamTransport(producerSide, prefix, partitions: 3, maxBacklog: 20, new ThroughputMonitor(TimeProvider.System), TimeProvider.System);
        var taken = new RedisStreamTransport(consumerSide, prefix, partitions: 3, maxBacklog: 20, new ThroughputMonitor(TimeProvider.System), TimeProvider.System);
        var consumerGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var received = new ConcurrentDictionary<string, ConcurrentQueue<int>>();
        await using var consumer = await taken.ConsumeAsync("workers", "instance-b", async (message, token) =>
        {
            await consumerGate.Task.WaitAsync(token);
            received.GetOrAdd(message.Key, _ => new()).Enqueue(int.Parse(message.Body, System.Globalization.CultureInfo.InvariantCulture));
        });

        var producer = Task.Run(async () =>
        {
            for (var i = 0; i < Messages; i++) await sent.PublishAsync(Message(i), Cancel);
        }, Cancel);
        await Eventually.TrueAsync(() => Task.FromResult(sent.Monitor.ProducerWaits > 0));
        var backlogWhileBlocked = await sent.BacklogAsync();
        var refused = await Task.WhenAll(Enumerable.Range(0, Keys).Select(k => sent.TryPublishAsync(new KeyedMessage($"key-{k}", "-1"))));

        Assert.False(producer.IsCompleted);
        Assert.InRange(backlogWhileBlocked, 20, 3 * 20);
        Assert.Contains(false, refused);
        consumerGate.SetResult();
        await producer;
        var expected = Messages + refused.Count(r => r);
        await Eventually.TrueAsync(async () => taken.Monitor.Delivered == expected && await sent.BacklogAsync() == 0, seconds: 30);

        Assert.InRange(sent.Monitor.MaxDepth, 1, sent.MaxBacklog);
        AssertCompleteAndOrderedPerKey(received);
    }

    [Fact]
    public async Task RedisStreams_PublishBatchWaitsForRoomAndKeepsOrder_WhenConsumerIsSlower()
    {
        var prefix = RedisServer.NewKeyPrefix("item77") + "batch:";
        await using var producerSide = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        await using var consumerSide = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var sent = new RedisStreamTransport(producerSide, prefix, partitions: 3, maxBacklog: 20, new ThroughputMonitor(TimeProvider.System), TimeProvider.System);
        var taken = new RedisStreamTransport(consumerSide, prefix, partitions: 3, maxBacklog: 20, new ThroughputMonitor(TimeProvider.System), TimeProvider.System);
        var consumerGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var received = new ConcurrentDictionary<string, ConcurrentQueue<int>>();
        await using var consumer = await taken.ConsumeAsync("workers", "instance-b", async (message, token) =>
        {
            await consumerGate.Task.WaitAsync(token);
            received.GetOrAdd(message.Key, _ => new()).Enqueue(int.Parse(message.Body, System.Globalization.CultureInfo.InvariantCulture));
        });

        // Batches of 50, one after the other: each batch is more than the three streams' bounds hold.
        var producer = Task.Run(async () =>
        {
            foreach (var batch in Enumerable.Range(0, Messages).Chunk(50)) await sent.PublishBatchAsync([.. batch.Select(Message)], Cancel);
        }, Cancel);
        await Eventually.TrueAsync(() => Task.FromResult(sent.Monitor.ProducerWaits > 0));
        var backlogWhileBlocked = await sent.BacklogAsync();

        Assert.False(producer.IsCompleted);
        Assert.InRange(backlogWhileBlocked, 20, 3 * 20);
        consumerGate.SetResult();
        await producer;
        await Eventually.TrueAsync(async () => taken.Monitor.Delivered == Messages && await sent.BacklogAsync() == 0, seconds: 30);

        Assert.Equal(Messages, sent.Monitor.Published);
        Assert.InRange(sent.Monitor.MaxDepth, 1, sent.MaxBacklog);
        AssertCompleteAndOrderedPerKey(received);
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
