using StackExchange.Redis;

namespace Apex.Platform.Performance.Messaging;

/// <summary>
/// One consumer loop per partition stream: reads new entries for its group, hands them to the
/// handler in stream order, then acknowledges and deletes them (which frees backlog for the
/// producers). StackExchange.Redis has no blocking reads, so an empty stream is polled.
/// </summary>
public sealed class RedisStreamConsumer : IAsyncDisposable
{
    private const int ReadCount = 128;
    private static readonly TimeSpan IdlePoll = TimeSpan.FromMilliseconds(5);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task[] _loops;

    internal RedisStreamConsumer(RedisStreamTransport transport, IDatabase database, string group, string consumer,
        Func<KeyedMessage, CancellationToken, ValueTask> handler, TimeProvider time)
    {
        _loops = Enumerable.Range(0, transport.Partitions)
            .Select(i => Task.Run(() => LoopAsync(transport, database, transport.StreamOf(i), group, consumer, handler, time)))
            .ToArray();
    }

    private async Task LoopAsync(RedisStreamTransport transport, IDatabase database, RedisKey stream, string group, string consumer,
        Func<KeyedMessage, CancellationToken, ValueTask> handler, TimeProvider time)
    {
        var token = _stop.Token;
        while (!token.IsCancellationRequested)
        {
            var entries = await database.StreamReadGroupAsync(stream, group, consumer, StreamPosition.NewMessages, ReadCount);
            if (entries.Length == 0)
            {
                await Task.Delay(IdlePoll, time, token);
                continue;
            }

            foreach (var entry in entries)
            {
                await handler(new KeyedMessage(entry["k"]!, entry["b"]!), token);
                transport.Monitor.OnDelivered();
            }

            var ids = entries.Select(e => e.Id).ToArray();
            await database.StreamAcknowledgeAsync(stream, group, ids);
            await database.StreamDeleteAsync(stream, ids);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await Task.WhenAll(_loops);
        }
        catch (OperationCanceledException)
        {
            // The expected way a loop ends.
        }

        _stop.Dispose();
    }
}
