using Apex.Platform.Caching.Expiration;
using Apex.Platform.Caching.Failover;
using Apex.Platform.Caching.Integrity;
using Apex.Platform.Caching.Invalidation;
using Apex.Platform.Caching.Load;
using Apex.Platform.Caching.Metrics;
using Apex.Platform.Caching.Pressure;
using Apex.Platform.Caching.Sessions;
using Apex.Platform.Caching.Source;
using Apex.Platform.Caching.Sync;
using Apex.Platform.Caching.Tiered;
using Apex.Platform.Caching.Warming;
using Apex.Platform.Data;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Caching.StackExchangeRedis;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Apex.Platform.Caching;

/// <summary>The cache capability: two-level cache, invalidation, warming, expiration, metrics (plan items 66-75).</summary>
public static class PlatformCaching
{
    public static IServiceCollection AddPlatformCaching(this IServiceCollection services)
    {
        services.AddOptions<CachingOptions>().BindConfiguration(CachingOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<WarmupOptions>().BindConfiguration(WarmupOptions.SectionName);
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.AddTieredCache();
        services.AddSchema(40, "cache-records", RecordStore.Schema);
        services.TryAddSingleton<RecordStore>();
        services.TryAddSingleton<CacheMetrics>();
        services.TryAddSingleton<HitRateAnalyzer>();
        services.TryAddSingleton<DependencyGraph>();
        services.TryAddSingleton<CacheInvalidator>();
        services.TryAddSingleton<ExpiringCache>();
        services.TryAddSingleton<SyncedRecords>();
        services.TryAddSingleton<VerifiedCache>();
        services.TryAddSingleton<DurableWrites>();
        services.TryAddSingleton<SentinelMonitor>();
        services.TryAddSingleton<ClusterSessionStore>();
        services.TryAddSingleton<SlotMigrator>();
        services.TryAddSingleton<CacheLoadGenerator>();
        services.TryAddSingleton<WarmupMonitor>();
        services.TryAddSingleton<CacheWarmer>();
        services.TryAddSingleton<CacheAlerts>();
        services.TryAddSingleton<RedisMemoryMonitor>();
        services.AddHostedService<CacheWarmupService>();
        services.AddHostedService<MemoryPressureService>();
        services.AddHealthChecks().AddCheck<CacheWarmupHealthCheck>("cache-warmup", tags: ["ready"]);
        return services;
    }

    // HybridCache over the platform's one multiplexer; L2 entries live under "<prefix>cache:".
    private static void AddTieredCache(this IServiceCollection services)
    {
        services.AddStackExchangeRedisCache(_ => { });
        services.AddOptions<RedisCacheOptions>().Configure<IServiceProvider, IOptions<RedisOptions>>((cache, sp, redis) =>
        {
            cache.InstanceName = redis.Value.KeyPrefix + "cache:";
            cache.ConnectionMultiplexerFactory = () => Task.FromResult(sp.GetRequiredService<IConnectionMultiplexer>());
        });
        services.AddHybridCache();
        services.AddOptions<HybridCacheOptions>().Configure<IOptions<CachingOptions>>((hybrid, caching) =>
            hybrid.DefaultEntryOptions = new HybridCacheEntryOptions { Expiration = caching.Value.DefaultTtl, LocalCacheExpiration = caching.Value.LocalTtl });
        services.TryAddSingleton<TieredCache>();
    }
}
