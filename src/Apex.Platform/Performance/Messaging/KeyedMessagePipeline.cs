using System.Threading.Channels;

namespace Apex.Platform.Performance.Messaging;

/// <summary>
/// The in-process message pipeline: a message goes to the partition its key hashes to, each
/// partition is one bounded channel read by one consumer, so messages of one key are handled in
/// the order they were published while different keys proceed in parallel. A full partition slows
/// the producer (<see cref="PublishAsync"/> waits) or tells it (<see cref="TryPublish"/> is false);
/// nothing is ever dropped and no queue grows past its capacity.
/// </summary>
public sealed class KeyedMessagePipeline : IAsyncDisposable
{
    private readonly Channel<KeyedMessage>[] _partitions;
    private readonly Task[] _consumers;
    private readonly Func<KeyedMessage, CancellationToken, ValueTask> _handler;
    private readonly CancellationTokenSource _stop = new();

    public KeyedMessagePipeline(int partitions, int capacity, Func<KeyedMessage, CancellationToken, ValueTask> handler, ThroughputMonitor monitor)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
        Monitor = monitor;
        _handler = handler;
        _partitions = new Channel<KeyedMessage>[partitions];
        _consumers = new Task[partitions];
        for (var i = 0; i < partitions; i++)
        {
            _partitions[i] = Channel.CreateBounded<KeyedMessage>(new BoundedChannelOptions(capacity)
            {
                FullMode = BoundedChannelFullMode.Wait,
                SingleReader = true,
            });
            var reader = _partitions[i].Reader;
            _consumers[i] = Task.Run(() => ConsumeAsync(reader));
        }
    }

    public int Capacity { get; }

    public ThroughputMonitor Monitor { get; }

    /// <summary>Messages waiting in all partitions now.</summary>
    public int Depth => _partitions.Sum(p => p.Reader.Count);

    /// <summary>Publishes, waiting while the key's partition is full: the producer runs at the consumer's pace.</summary>
    public async ValueTask PublishAsync(KeyedMessage message, CancellationToken cancellationToken)
    {
        var channel = PartitionOf(message.Key);
        if (!channel.Writer.TryWrite(message))
        {
            Monitor.OnProducerWait();
            await channel.Writer.WriteAsync(message, cancellationToken);
        }

        Monitor.OnPublished(channel.Reader.Count);
    }

    /// <summary>Publishes only if there is room now; false tells the producer to back off.</summary>
    public bool TryPublish(KeyedMessage message)
    {
        var channel = PartitionOf(message.Key);
        if (!channel.Writer.TryWrite(message))
        {
            Monitor.OnRefused();
            return false;
        }

        Monitor.OnPublished(channel.Reader.Count);
        return true;
    }

    /// <summary>Takes no more messages and waits until every accepted one has been handled.</summary>
    public async Task CompleteAsync()
    {
        foreach (var partition in _partitions) partition.Writer.TryComplete();
        await Task.WhenAll(_consumers);
    }

    private Channel<KeyedMessage> PartitionOf(string key) =>
        _partitions[(int)((uint)StableHash(key) % (uint)_partitions.Length)];

    // string.GetHashCode is randomised per process; a stable hash keeps a key's partition the same
    // in every instance, which the Redis transport relies on too.
    internal static int StableHash(string key)
    {
        var hash = 2166136261u;
        foreach (var c in key) hash = (hash ^ c) * 16777619u;
        return (int)hash;
    }

    private async Task ConsumeAsync(ChannelReader<KeyedMessage> reader)
    {
        await foreach (var message in reader.ReadAllAsync(_stop.Token))
        {
            await _handler(message, _stop.Token);
            Monitor.OnDelivered();
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var partition in _partitions) partition.Writer.TryComplete();
        await _stop.CancelAsync();
        try
        {
            await Task.WhenAll(_consumers);
        }
        catch (OperationCanceledException)
        {
            // Stopped mid-handling on purpose: disposal does not wait for a slow consumer.
        }

        _stop.Dispose();
    }
}
