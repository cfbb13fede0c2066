using System.Diagnostics;

namespace Apex.Platform.Benchmarks;

/// <summary>
/// Item 83: time from launching the platform process to /health/ready answering 200, for a cold
/// start (a fresh database: schema created) and warm starts (schema present), and the CPU time the
/// process spent to get there — on a shared, loaded machine the wall time mostly measures the
/// neighbours, the CPU time what the start itself costs (JIT, schema, connections).
///   startup &lt;Apex.Platform.dll&gt; &lt;postgres connection&gt; &lt;redis connection&gt; [warm starts]
/// </summary>
public static class StartupCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        var warmStarts = args.Length > 3 ? int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture) : 3;
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var warm = new List<(double Wall, double Cpu)>();
        for (var run = 0; run <= warmStarts; run++)
        {
            var port = 20_000 + Random.Shared.Next(20_000);
            var (elapsed, cpu) = await StartToReadyAsync(http, args[0], args[1], args[2], port);
            Console.WriteLine($"{(run == 0 ? "cold" : "warm")} start to ready: {elapsed.TotalMilliseconds:0} ms, CPU {cpu.TotalMilliseconds:0} ms");
            if (run > 0) warm.Add((elapsed.TotalMilliseconds, cpu.TotalMilliseconds));
        }

        if (warm.Count > 0)
        {
            Console.WriteLine($"warm starts: median {Median(warm.Select(w => w.Wall)):0} ms to ready, median CPU {Median(warm.Select(w => w.Cpu)):0} ms ({warm.Count} starts)");
        }

        return 0;
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static async Task<(TimeSpan Elapsed, TimeSpan Cpu)> StartToReadyAsync(HttpClient http, string dll, string postgres, string redis, int port)
    {
        var start = new ProcessStartInfo("dotnet", [dll, "--urls", $"http://127.0.0.1:{port}"]) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["Platform__Postgres__ConnectionString"] = postgres;
        start.Environment["Platform__Redis__ConnectionString"] = redis;
        start.Environment["Platform__Redis__KeyPrefix"] = "bench:";
        start.Environment["Platform__Auth__SigningKey"] = "benchmark-signing-key-0123456789abcdef0123";
        start.Environment["Platform__Services__0"] = "backend";
        start.Environment["Platform__Services__1"] = "performance";
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        try
        {
            while (clock.Elapsed < TimeSpan.FromMinutes(2))
            {
                try
                {
                    if ((await http.GetAsync(new Uri($"http://127.0.0.1:{port}/health/ready"))).IsSuccessStatusCode)
                    {
                        var elapsed = clock.Elapsed;
                        process.Refresh();
                        return (elapsed, process.TotalProcessorTime);
                    }
                }
                catch (HttpRequestException)
                {
                    // Not listening yet.
                }

                await Task.Delay(10);
            }

            throw new TimeoutException($"The platform did not become ready: {await process.StandardError.ReadToEndAsync()}");
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }
}
