using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Apex.Platform.Caching.Pressure;

/// <summary>Samples Redis memory every <see cref="CachingOptions.MemoryCheckInterval"/> on the platform clock.</summary>
internal sealed class MemoryPressureService(RedisMemoryMonitor monitor, IOptions<CachingOptions> options, TimeProvider time,
    ILogger<MemoryPressureService> logger) : BackgroundService
{
    private PeriodicTimer? _timer;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        // Created here, not in ExecuteAsync (which .NET runs on another thread): the schedule
        // starts when the host has started, so no tick is missed.
        if (options.Value.MemoryCheckInterval > TimeSpan.Zero) _timer = new PeriodicTimer(options.Value.MemoryCheckInterval, time);
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_timer is null) return;
        while (await _timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await monitor.SampleAsync();
            }
            catch (RedisException e)
            {
                logger.LogWarning(e, "Could not sample Redis memory");
            }
        }
    }

    public override void Dispose()
    {
        _timer?.Dispose();
        base.Dispose();
    }
}
