using Apex.Platform.Caching.Tiered;

namespace Apex.Platform.Caching.Invalidation;

/// <summary>
/// Invalidation as the rest of the platform asks for it: one key, a key pattern or a tag, each
/// cascading to the entries that depend on what was removed, and each reaching every instance
/// (through <see cref="TieredCache"/>'s broadcast).
/// </summary>
public sealed class CacheInvalidator(TieredCache cache, DependencyGraph graph, ILogger<CacheInvalidator> logger)
{
    public async Task<InvalidationReport> InvalidateKeyAsync(string key, CancellationToken cancellationToken = default)
    {
        var closure = await graph.ClosureAsync(key);
        await cache.InvalidateAsync(closure, cancellationToken);
        await graph.ForgetAsync(closure);
        logger.LogInformation("Invalidated {Key} and {Dependents} dependent entries", key, closure.Count - 1);
        return new InvalidationReport([key], closure);
    }

    public async Task<InvalidationReport> InvalidatePatternAsync(string glob, CancellationToken cancellationToken = default)
    {
        var matched = await cache.InvalidatePatternAsync(glob, cancellationToken);
        var cascade = new List<string>(matched);
        foreach (var key in matched)
        {
            cascade.AddRange((await graph.ClosureAsync(key)).Skip(1).Where(k => !cascade.Contains(k)));
        }

        var dependents = cascade.Skip(matched.Count).ToList();
        if (dependents.Count > 0) await cache.InvalidateAsync(dependents, cancellationToken);
        await graph.ForgetAsync(cascade);
        return new InvalidationReport(matched, cascade);
    }

    /// <summary>Entries cached with this tag; HybridCache invalidates them logically, on L2 and on every instance's L1.</summary>
    public Task InvalidateTagAsync(string tag, CancellationToken cancellationToken = default) => cache.InvalidateTagAsync(tag, cancellationToken);
}

/// <summary>What an invalidation matched directly and everything it removed, dependents included.</summary>
public sealed record InvalidationReport(IReadOnlyList<string> Matched, IReadOnlyList<string> Removed);
