using StackExchange.Redis;

namespace Apex.Platform.Caching.Invalidation;

/// <summary>
/// Which cached entries are derived from which: stored in Redis (one set of dependents per key),
/// so every instance walks the same graph. An entry built from a user profile, say a team roster,
/// is registered as a dependent of the profile and goes when the profile goes.
/// </summary>
public sealed class DependencyGraph(IConnectionMultiplexer redis, RedisKeys keys)
{
    public Task AddAsync(string key, string dependent) =>
        redis.GetDatabase().SetAddAsync(Dependents(key), dependent);

    /// <summary>Every entry reachable from <paramref name="key"/>, itself first, each once even when the graph has cycles.</summary>
    public async Task<IReadOnlyList<string>> ClosureAsync(string key)
    {
        var database = redis.GetDatabase();
        var seen = new HashSet<string>(StringComparer.Ordinal) { key };
        var order = new List<string> { key };
        var frontier = new List<string> { key };
        while (frontier.Count > 0)
        {
            // One round trip per level of the graph, not per node.
            var batch = database.CreateBatch();
            var lookups = frontier.Select(k => batch.SetMembersAsync(Dependents(k))).ToList();
            batch.Execute();
            frontier = [];
            foreach (var member in (await Task.WhenAll(lookups)).SelectMany(m => m).Select(m => m.ToString()))
            {
                if (seen.Add(member))
                {
                    order.Add(member);
                    frontier.Add(member);
                }
            }
        }

        return order;
    }

    /// <summary>Drops the edges out of removed entries; they are registered again when rebuilt.</summary>
    public Task ForgetAsync(IEnumerable<string> removed) =>
        redis.GetDatabase().KeyDeleteAsync([.. removed.Select(Dependents)]);

    private RedisKey Dependents(string key) => keys.Key("cache-deps:" + key);
}
