using System.Diagnostics;

namespace Apex.Platform.Benchmarks;

/// <summary>
/// Item 83: time from launching the platform process to /health/ready answering 200, for a cold
/// start (a fresh database: schema created) and warm starts (schema present).
///   startup &lt;Apex.Platform.dll&gt; &lt;postgres connection&gt; &lt;redis connection&gt; [warm starts]
/// </summary>
public static class StartupCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        var warmStarts = args.Length > 3 ? int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture) : 3;
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        for (var run = 0; run <= warmStarts; run++)
        {
            var port = 20_000 + Random.Shared.Next(20_000);
            var elapsed = await StartToReadyAsync(http, args[0], args[1], args[2], port);
            Console.WriteLine($"{(run == 0 ? "cold" : "warm")} start to ready: {elapsed.TotalMilliseconds:0} ms");
        }

        return 0;
    }

    private static async Task<TimeSpan> StartToReadyAsync(HttpClient http, string dll, string postgres, string redis, int port)
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
                    if ((await http.GetAsync(new Uri($"http://127.0.0.1:{port}/health/ready"))).IsSuccessStatusCode) return clock.Elapsed;
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
