using Apex.Platform.Caching.Source;
using Apex.Platform.Caching.Tiered;
using Microsoft.Extensions.Options;
using Npgsql;
using StackExchange.Redis;

namespace Apex.Platform.Caching.Warming;

/// <summary>
/// Loads what the platform will be asked for first into the cache before it is asked: the records
/// under the configured prefixes and the required keys, in priority order, reporting progress per
/// entry. A failure warms the rest and reports each entry it could not warm.
/// </summary>
public sealed class CacheWarmer(RecordStore source, TieredCache cache, WarmupMonitor monitor, IOptionsMonitor<WarmupOptions> options,
    TimeProvider time, ILogger<CacheWarmer> logger)
{
    public async Task<WarmupStatus> WarmAsync(CancellationToken cancellationToken = default)
    {
        var settings = options.CurrentValue;
        var run = monitor.Current.Run + 1;
        monitor.Update(_ => new WarmupStatus(run, 0, [], [], false, false, time.GetUtcNow(), null));
        List<WarmupEntry> plan;
        try
        {
            plan = await PlanAsync(settings, cancellationToken);
        }
        catch (NpgsqlException e)
        {
            var all = settings.RequiredKeys.Select(k => new NotWarmed(k, "source unavailable: " + e.Message)).ToList();
            all.AddRange(settings.Prefixes.Select(p => new NotWarmed(p + "*", "source unavailable: " + e.Message)));
            monitor.Update(s => s with { Total = all.Count, Failed = all, Finished = true, FinishedAt = time.GetUtcNow() });
            logger.LogError(e, "Cache warm-up {Run} could not read the source", run);
            return monitor.Current;
        }

        monitor.Update(s => s with { Total = plan.Count, CriticalWarmed = !plan.Any(e => e.Priority >= settings.CriticalPriority) });
        foreach (var entry in plan) await WarmOneAsync(entry, plan, settings.CriticalPriority, cancellationToken);
        monitor.Update(s => s with { Finished = true, FinishedAt = time.GetUtcNow() });
        var final = monitor.Current;
        logger.LogInformation("Cache warm-up {Run}: {Warmed} of {Total} warmed, {Failed} not", run, final.Warmed.Count, final.Total, final.Failed.Count);
        return final;
    }

    private async Task<List<WarmupEntry>> PlanAsync(WarmupOptions settings, CancellationToken cancellationToken)
    {
        var entries = new Dictionary<string, WarmupEntry>(StringComparer.Ordinal);
        foreach (var prefix in settings.Prefixes)
        {
            foreach (var record in await source.ListAsync(prefix, cancellationToken)) entries[record.Key] = new WarmupEntry(record.Key, record.Priority, record);
        }

        foreach (var key in settings.RequiredKeys.Where(k => !string.IsNullOrWhiteSpace(k) && !entries.ContainsKey(k)))
        {
            // Required keys not under a prefix are read one by one; a missing one is reported when warmed.
            var record = await source.FindAsync(key, cancellationToken);
            entries[key] = new WarmupEntry(key, record?.Priority ?? settings.CriticalPriority, record);
        }

        return [.. entries.Values.OrderByDescending(e => e.Priority).ThenBy(e => e.Key, StringComparer.Ordinal)];
    }

    private async Task WarmOneAsync(WarmupEntry entry, List<WarmupEntry> plan, int critical, CancellationToken cancellationToken)
    {
        string? failure = entry.Record is null ? "not found in the source" : null;
        if (failure is null)
        {
            try
            {
                await cache.SetAsync(entry.Key, entry.Record!, cancellationToken: cancellationToken);
            }
            catch (RedisException e)
            {
                failure = "cache write failed: " + e.Message;
            }
        }

        monitor.Update(s =>
        {
            var warmed = failure is null ? [.. s.Warmed, entry.Key] : s.Warmed;
            var failed = failure is null ? s.Failed : [.. s.Failed, new NotWarmed(entry.Key, failure)];
            var criticalDone = plan.Where(e => e.Priority >= critical).All(e => warmed.Contains(e.Key));
            return s with { Warmed = warmed, Failed = failed, CriticalWarmed = criticalDone };
        });
    }

    private sealed record WarmupEntry(string Key, int Priority, Record? Record);
}
