using Apex.Platform.Caching.Tiered;
using Microsoft.Extensions.Options;

namespace Apex.Platform.Caching.Warming;

/// <summary>
/// Subscribes the instance to cache invalidations, warms the cache at start, then again every
/// <see cref="CachingOptions.WarmupInterval"/> on the platform clock (so a test's FakeTimeProvider drives it).
/// </summary>
internal sealed class CacheWarmupService(TieredCache cache, CacheWarmer warmer, WarmupMonitor monitor, IOptions<CachingOptions> options, TimeProvider time,
    ILogger<CacheWarmupService> logger) : BackgroundService
{
    private PeriodicTimer? _timer;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        // The schedule starts with the host (ExecuteAsync runs on another thread), so no tick is lost.
        if (options.Value.WarmupInterval > TimeSpan.Zero) _timer = new PeriodicTimer(options.Value.WarmupInterval, time);
        // Before the instance takes traffic: an instance that missed invalidations would serve stale L1 entries.
        await cache.SubscribeAsync();
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await WarmSafelyAsync(stoppingToken);
        if (_timer is null) return;
        while (await _timer.WaitForNextTickAsync(stoppingToken)) await WarmSafelyAsync(stoppingToken);
    }

    private async Task WarmSafelyAsync(CancellationToken stoppingToken)
    {
        try
        {
            await warmer.WarmAsync(stoppingToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A failed warm-up leaves the instance not ready (see WarmupMonitor); the next tick tries again.
            logger.LogError(e, "Cache warm-up failed");
            monitor.Update(s => s with { Finished = true, Failed = [.. s.Failed, new NotWarmed("*", "warm-up failed: " + e.Message)] });
        }
    }

    public override void Dispose()
    {
        _timer?.Dispose();
        base.Dispose();
    }
}
