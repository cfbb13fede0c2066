// Plan item 75's figures: p50/p99 latency and throughput of the platform's pipelined cache load
// against a Redis you start, e.g.
//   redis-server --port 6390 --save '' --appendonly no &
//   dotnet run -c Release --project benchmarks/Apex.Caching.LoadBenchmark -- 127.0.0.1:6390
// Each profile runs 3 times after a warm-up; figures are printed per run.
using Apex.Platform.Caching;
using Apex.Platform.Caching.Load;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

var connection = args.Length > 0 ? args[0] : "127.0.0.1:6379";
await using var redis = await ConnectionMultiplexer.ConnectAsync(connection);
var keys = new RedisKeys(Options.Create(new RedisOptions { ConnectionString = connection, KeyPrefix = "bench:" }));
var generator = new CacheLoadGenerator(redis, keys, TimeProvider.System);
LoadProfile[] profiles =
[
    new(100_000, TimeSpan.FromSeconds(30), MaxInFlight: 256, BatchSize: 32, ReadPercent: 80),
    new(100_000, TimeSpan.FromSeconds(30), MaxInFlight: 1, BatchSize: 1, ReadPercent: 80),
];
await generator.RunAsync(profiles[0] with { Operations = 10_000 });
foreach (var profile in profiles)
{
    for (var run = 1; run <= 3; run++)
    {
        var r = await generator.RunAsync(profile);
        Console.WriteLine($"batch={profile.BatchSize} inflight={profile.MaxInFlight} run={run}: {r.Completed} ops, {r.Errors} errors, " +
            $"p50={r.P50Milliseconds:F3} ms p99={r.P99Milliseconds:F3} ms, {r.OperationsPerSecond:F0} ops/s, max in flight {r.MaxInFlight}");
    }
}
