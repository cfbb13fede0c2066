using System.ComponentModel.DataAnnotations;

namespace Apex.Platform.Caching;

/// <summary>How the platform caches: lifetimes, refresh-ahead, alert thresholds. Validated at start.</summary>
public sealed class CachingOptions
{
    public const string SectionName = "Platform:Caching";

    /// <summary>Lifetime of an entry in Redis (L2) unless the caller says otherwise.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00", ErrorMessage = "Platform:Caching:DefaultTtl must be between 1 s and 7 days.")]
    public TimeSpan DefaultTtl { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Lifetime of an entry in an instance's memory (L1); short, because pub/sub delivery is at most once.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00", ErrorMessage = "Platform:Caching:LocalTtl must be between 1 s and 1 day.")]
    public TimeSpan LocalTtl { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>An entry is reloaded in the background once less than this fraction of its lifetime remains.</summary>
    [Range(0.0, 0.9, ErrorMessage = "Platform:Caching:RefreshAheadRatio must be between 0 and 0.9.")]
    public double RefreshAheadRatio { get; set; } = 0.2;

    /// <summary>How long one instance may hold the load lock of a key before another may load it.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00", ErrorMessage = "Platform:Caching:LoadLockTimeout must be between 100 ms and 10 min.")]
    public TimeSpan LoadLockTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>used_memory / maxmemory at or above which a memory-pressure alert is raised.</summary>
    [Range(0.1, 1.0, ErrorMessage = "Platform:Caching:MemoryAlertRatio must be between 0.1 and 1.")]
    public double MemoryAlertRatio { get; set; } = 0.85;

    /// <summary>How often Redis memory is sampled for the pressure alert; zero turns sampling off.</summary>
    public TimeSpan MemoryCheckInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How often the cache is warmed again after the warm-up at start; zero means only at start.</summary>
    public TimeSpan WarmupInterval { get; set; } = TimeSpan.Zero;
}
