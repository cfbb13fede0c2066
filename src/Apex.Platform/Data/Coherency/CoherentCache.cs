using System.Collections.Concurrent;

namespace Apex.Platform.Data.Coherency;

/// <summary>
/// A per-instance read-through cache of one table's rows, kept coherent by a
/// <see cref="ChangeNotificationListener"/>: a change notification evicts the row, a reconnect
/// evicts everything. A load that overlaps an eviction is not cached (the generation check),
/// so a value read before a change can never be stored after its invalidation.
/// </summary>
public sealed class CoherentCache<TValue>(string table, Func<string, CancellationToken, Task<TValue?>> load)
{
    private readonly ConcurrentDictionary<string, TValue?> _entries = new(StringComparer.Ordinal);
    private long _generation;
    private long _loads;
    private long _evictions;
    private long _fullRefreshes;

    public long Loads => Interlocked.Read(ref _loads);

    public long Evictions => Interlocked.Read(ref _evictions);

    public long FullRefreshes => Interlocked.Read(ref _fullRefreshes);

    /// <summary>Evicts on this table's notifications and clears on every resynchronisation.</summary>
    public CoherentCache<TValue> Follow(ChangeNotificationListener listener)
    {
        listener.Changed += (changedTable, key) => { if (changedTable == table) Evict(key); };
        listener.Resynchronise += Clear;
        return this;
    }

    public async Task<TValue?> GetAsync(string key, CancellationToken ct)
    {
        if (_entries.TryGetValue(key, out var cached)) return cached;
        var generation = Interlocked.Read(ref _generation);
        Interlocked.Increment(ref _loads);
        var value = await load(key, ct);
        // Only cache when no eviction happened during the load; otherwise the value may be stale.
        lock (_entries)
        {
            if (generation == Interlocked.Read(ref _generation)) _entries[key] = value;
        }

        return value;
    }

    public void Evict(string key)
    {
        lock (_entries)
        {
            Interlocked.Increment(ref _generation);
            _entries.TryRemove(key, out _);
            // Counted once done: whoever sees the count (a test, an operator) finds the row already gone.
            Interlocked.Increment(ref _evictions);
        }
    }

    public void Clear()
    {
        lock (_entries)
        {
            Interlocked.Increment(ref _generation);
            _entries.Clear();
            Interlocked.Increment(ref _fullRefreshes);
        }
    }
}
