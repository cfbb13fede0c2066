using Apex.Platform.Caching.Source;
using Apex.Platform.Caching.Tiered;

namespace Apex.Platform.Caching.Sync;

/// <summary>
/// Records read through the two-level cache and written through the source with their version:
/// a successful write invalidates every instance's copy; a write based on an old version is refused
/// (the caller gets the current record to merge with) or, through <see cref="UpdateAsync(string, Func{Record, string}, int, CancellationToken)"/>,
/// merged and retried. Either way no update is lost silently.
/// </summary>
public sealed class SyncedRecords(RecordStore source, TieredCache cache, ILogger<SyncedRecords> logger)
{
    public const int DefaultMergeAttempts = 10;

    public async Task<Record?> GetAsync(string key, CancellationToken cancellationToken = default) =>
        await cache.GetOrLoadAsync(key, async ct => await source.FindAsync(key, ct), cancellationToken: cancellationToken);

    /// <summary>Writes <paramref name="body"/> if the record is still at <paramref name="expectedVersion"/>.</summary>
    public async Task<WriteResult> UpdateAsync(string key, long expectedVersion, string body, CancellationToken cancellationToken = default)
    {
        var result = await source.UpdateAsync(key, expectedVersion, body, cancellationToken);
        // A refusal proves the cached copy the writer read was stale too: drop it everywhere.
        await cache.InvalidateAsync([key], cancellationToken);
        if (!result.Written) logger.LogInformation("Write to {Key} at version {Expected} refused: now at {Current}", key, expectedVersion, result.Current?.Version);
        return result;
    }

    /// <summary>Applies <paramref name="change"/> to the current record, re-reading and re-applying it on each conflict.</summary>
    public async Task<MergedWrite> UpdateAsync(string key, Func<Record, string> change, int maxAttempts = DefaultMergeAttempts,
        CancellationToken cancellationToken = default)
    {
        var current = await source.FindAsync(key, cancellationToken) ?? throw new KeyNotFoundException($"No record {key}.");
        for (var attempt = 1; attempt <= maxAttempts; attempt++)
        {
            var result = await UpdateAsync(key, current.Version, change(current), cancellationToken);
            if (result.Written) return new MergedWrite(result.Current!, attempt);
            current = result.Current ?? throw new KeyNotFoundException($"Record {key} was deleted during the update.");
        }

        throw new WriteConflictException(key, maxAttempts, current.Version);
    }

    /// <summary>Compares cached copies with the source; stale ones are invalidated and returned.</summary>
    public async Task<IReadOnlyList<StaleEntry>> ValidateAsync(IEnumerable<string> keys, CancellationToken cancellationToken = default)
    {
        var stale = new List<StaleEntry>();
        foreach (var key in keys)
        {
            var cached = await GetAsync(key, cancellationToken);
            var truth = await source.FindAsync(key, cancellationToken);
            if (cached?.Version == truth?.Version) continue;
            stale.Add(new StaleEntry(key, cached?.Version, truth?.Version));
            await cache.InvalidateAsync([key], cancellationToken);
        }

        return stale;
    }
}

public sealed record MergedWrite(Record Record, int Attempts);

public sealed record StaleEntry(string Key, long? CachedVersion, long? SourceVersion);

/// <summary>Thrown when a write lost every round against concurrent writers; the caller decides, nothing is overwritten.</summary>
public sealed class WriteConflictException(string key, int attempts, long currentVersion)
    : Exception($"Record {key} changed under {attempts} attempts to update it (now at version {currentVersion}).")
{
    public long CurrentVersion { get; } = currentVersion;
}
