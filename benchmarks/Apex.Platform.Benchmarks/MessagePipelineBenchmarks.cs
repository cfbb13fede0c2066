using Apex.Platform.Performance.Messaging;
using BenchmarkDotNet.Attributes;

namespace Apex.Platform.Benchmarks;

/// <summary>
/// Item 77: messages per second through the in-process keyed pipeline (bounded channels, one
/// consumer per partition) with a trivial handler: the pipeline's own cost. 100,000 messages over
/// 64 keys per invocation; the time per operation is per message. run-bench.sh runs it with
/// --inProcess (no generated project to build on the shared machine): about 1.5 minutes.
/// </summary>
[MemoryDiagnoser]
public class MessagePipelineBenchmarks
{
    private const int Messages = 100_000;
    private KeyedMessage[] _messages = [];

    [Params(1, 4)]
    public int Partitions { get; set; }

    [GlobalSetup]
    public void Setup() => _messages = Enumerable.Range(0, Messages).Select(i => new KeyedMessage($"key-{i % 64}", "payload")).ToArray();

    [Benchmark(OperationsPerInvoke = Messages)]
    public async Task PublishAndConsume()
    {
        await using var pipeline = new KeyedMessagePipeline(Partitions, 1024, static (_, _) => ValueTask.CompletedTask, new ThroughputMonitor(TimeProvider.System));
        foreach (var message in _messages) await pipeline.PublishAsync(message, CancellationToken.None);
        await pipeline.CompleteAsync();
    }
}
