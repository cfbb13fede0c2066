using System.Runtime.CompilerServices;
using Apex.Integration.Infrastructure;
using Apex.Platform.Performance.Cpu;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Apex.Integration.PerformanceScalability;

/// <summary>
/// Plan item 80: the platform's CPU is sampled in process — an EventPipe session opened on the
/// process's own diagnostics port with Microsoft.Diagnostics.NETCore.Client — while a platform
/// instance serves a mix of a deliberately hot endpoint (a prime count) and cheap ones; the
/// profile names the hot endpoint's method as the hotspot. The usage pattern (CPU time against
/// wall time) is written to the output.
/// </summary>
[PlanItem(80)]
[Collection(RuntimeMeasurementCollection.Name)]
[BusinessValue("All tiers", "Efficient use of compute",
    "Efficiency worth $6K MRR resource optimization", "The code that burns the CPU is named from samples, so optimisation goes where it pays")]
public sealed class CpuUtilizationPatternTests(PostgresServer postgres, RedisServer redis)
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Profile_NamesTheHotEndpoint_WhenItIsServedAmongCheapRequests()
    {
        await using var platform = await PlatformInstance.StartAsync(
            new PlatformSettings(await postgres.CreateDatabaseAsync("item80"), redis.ConnectionString, RedisServer.NewKeyPrefix("item80")) { Services = ["backend"] },
            services => services.AddSingleton<IStartupFilter, PrimeReportEndpoint>());
        CpuProfile profile = null!;

        var usage = await CpuUsageMonitor.MeasureAsync(async () => profile = await new CpuSampler(TimeProvider.System).ProfileAsync(async token =>
        {
            var hot = Enumerable.Range(0, 6).Select(_ => platform.Client.GetStringAsync("reports/primes", token));
            var cheap = Enumerable.Range(0, 30).Select(_ => platform.Client.GetStringAsync("health", token));
            await Task.WhenAll(hot.Concat(cheap));
        }, Cancel));

        var hotspots = profile.Hotspots("Apex.");
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{profile.Samples} samples in {profile.Elapsed.TotalMilliseconds:0} ms, CPU {usage.CpuTime.TotalMilliseconds:0} ms ({usage.Utilization:P0} of {usage.Cores} cores); " +
            string.Join("; ", hotspots.Take(3).Select(h => $"{h.Method} {h.Share:P0}")));
        Assert.NotEmpty(hotspots);
        Assert.Contains($"{nameof(PrimeReportEndpoint)}.{nameof(PrimeReportEndpoint.CountPrimes)}", hotspots[0].Method, StringComparison.Ordinal);
        Assert.True(hotspots[0].Share > 0.5, $"share {hotspots[0].Share:P0}");
    }

    /// <summary>The deliberately hot endpoint, added to the platform's pipeline at /reports/primes.</summary>
    public sealed class PrimeReportEndpoint : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Map("/reports/primes", branch => branch.Run(context => context.Response.WriteAsync($"{CountPrimes(400_000)}")));
            next(app);
        };

        // Trial division on purpose: the hot path the profile must find.
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static int CountPrimes(int below)
        {
            var count = 0;
            for (var n = 2; n < below; n++)
            {
                var prime = true;
                for (var d = 2; d * d <= n && prime; d++) prime = n % d != 0;
                if (prime) count++;
            }

            return count;
        }
    }
}
