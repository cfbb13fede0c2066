using Apex.Platform.Benchmarks;
using BenchmarkDotNet.Running;

// BenchmarkDotNet for the in-process figures; plain commands for the ones that need servers or
// separate processes (see run-bench.sh, which starts throwaway Redis and PostgreSQL servers).
return args.FirstOrDefault() switch
{
    "gc" => await GcLatencyCommand.RunAsync(args[1..]),
    "batch-size" => await BatchSizeCommand.RunAsync(args[1..]),
    "startup" => await StartupCommand.RunAsync(args[1..]),
    "redis-throughput" => await RedisThroughputCommand.RunAsync(args[1..]),
    _ => Run(args),
};

static int Run(string[] args)
{
    BenchmarkSwitcher.FromAssembly(typeof(MessagePipelineBenchmarks).Assembly).Run(args);
    return 0;
}
