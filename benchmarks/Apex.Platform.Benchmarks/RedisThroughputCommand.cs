using System.Diagnostics;
using Apex.Platform.Performance.Messaging;
using StackExchange.Redis;

namespace Apex.Platform.Benchmarks;

/// <summary>
/// Item 77 between instances: messages per second from one multiplexer to a consumer group on
/// another over Redis Streams (bounded backlog), end to end until every message is handled. With a
/// batch size above 1, producers publish batches (one script call per partition per batch).
///   redis-throughput &lt;redis connection&gt; [messages] [batch size]
/// </summary>
public static class RedisThroughputCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        var messages = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 50_000;
        var batchSize = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 1;
        await using var producer = await ConnectionMultiplexer.ConnectAsync(args[0]);
        await using var consumerSide = await ConnectionMultiplexer.ConnectAsync(args[0]);
        var prefix = $"bench:{Guid.NewGuid():N}:";
        var sent = new RedisStreamTransport(producer, prefix, 4, 5_000, new ThroughputMonitor(TimeProvider.System), TimeProvider.System);
        var taken = new RedisStreamTransport(consumerSide, prefix, 4, 5_000, new ThroughputMonitor(TimeProvider.System), TimeProvider.System);
        var done = new TaskCompletionSource();
        var handled = 0;
        await using var consumer = await taken.ConsumeAsync("bench", "c1", (_, _) =>
        {
            if (Interlocked.Increment(ref handled) == messages) done.SetResult();
            return ValueTask.CompletedTask;
        });
        var clock = Stopwatch.StartNew();
        if (batchSize == 1)
        {
            await Parallel.ForEachAsync(Enumerable.Range(0, messages), new ParallelOptions { MaxDegreeOfParallelism = 64 },
                async (i, token) => await sent.PublishAsync(new KeyedMessage($"key-{i % 64}", "payload"), token));
        }
        else
        {
            await Parallel.ForEachAsync(Enumerable.Range(0, messages).Chunk(batchSize), new ParallelOptions { MaxDegreeOfParallelism = 8 },
                async (batch, token) => await sent.PublishBatchAsync([.. batch.Select(i => new KeyedMessage($"key-{i % 64}", "payload"))], token));
        }

        await done.Task.WaitAsync(TimeSpan.FromMinutes(5));
        Console.WriteLine($"redis-throughput (batch {batchSize}): {messages} messages in {clock.Elapsed.TotalSeconds:0.00} s = {messages / clock.Elapsed.TotalSeconds:0} msg/s; producer waits {sent.Monitor.ProducerWaits}, max backlog {sent.Monitor.MaxDepth}");
        return 0;
    }
}
