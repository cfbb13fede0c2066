using System.Collections.Concurrent;
using System.Collections.Immutable;

namespace Apex.Platform.Agents.Dependencies;

/// <summary>An agent and the agents it needs to have run (or be loaded) before it.</summary>
public sealed record AgentDefinition(string Name, IReadOnlyList<string> DependsOn);

/// <summary>An order to load or run agents in (dependencies first), or why there is none.</summary>
public sealed record DependencyResolution(string Root, IReadOnlyList<string> Order, IReadOnlyList<string> Cycle, IReadOnlyList<string> Missing)
{
    public bool Resolved => Cycle.Count == 0 && Missing.Count == 0;

    public string? Problem => Cycle.Count > 0
        ? $"Circular dependency: {string.Join(" -> ", Cycle)}"
        : Missing.Count > 0 ? $"Not defined: {string.Join(", ", Missing)}" : null;
}

/// <summary>
/// Agent definitions and the resolution of their dependencies. A resolution is a depth-first
/// topological order; a cycle is reported as the path that closes it ("a -> b -> a"). Results are
/// cached per root and dropped when any definition they went through changes, so a change is
/// seen by the next resolution and nothing else is recomputed.
/// </summary>
public sealed class AgentDependencyResolver
{
    private readonly Lock _gate = new();
    private readonly ConcurrentDictionary<string, DependencyResolution> _cache = new(StringComparer.Ordinal);
    private ImmutableDictionary<string, AgentDefinition> _definitions = ImmutableDictionary.Create<string, AgentDefinition>(StringComparer.Ordinal);
    private int _computed;

    /// <summary>How many resolutions were computed rather than served from the cache.</summary>
    public int Computed => Volatile.Read(ref _computed);

    public IReadOnlyCollection<AgentDefinition> Definitions => [.. _definitions.Values];

    public void Define(AgentDefinition definition)
    {
        lock (_gate)
        {
            _definitions = _definitions.SetItem(definition.Name, definition);
            Invalidate(definition.Name);
        }
    }

    public bool Remove(string name)
    {
        lock (_gate)
        {
            var before = _definitions;
            _definitions = _definitions.Remove(name);
            Invalidate(name);
            return before.Count != _definitions.Count;
        }
    }

    public DependencyResolution Resolve(string root)
    {
        if (_cache.TryGetValue(root, out var cached)) return cached;
        lock (_gate)
        {
            if (_cache.TryGetValue(root, out cached)) return cached;
            var resolution = Compute(root, _definitions);
            Interlocked.Increment(ref _computed);
            _cache[root] = resolution;
            return resolution;
        }
    }

    // A cached resolution depends on every agent in its order, its cycle or its missing list.
    private void Invalidate(string name)
    {
        foreach (var (root, resolution) in _cache)
        {
            if (root == name || resolution.Order.Contains(name) || resolution.Cycle.Contains(name) || resolution.Missing.Contains(name))
            {
                _cache.TryRemove(root, out _);
            }
        }
    }

    private static DependencyResolution Compute(string root, ImmutableDictionary<string, AgentDefinition> definitions)
    {
        var order = new List<string>();
        var missing = new SortedSet<string>(StringComparer.Ordinal);
        var done = new HashSet<string>(StringComparer.Ordinal);
        var path = new List<string>();
        var cycle = Visit(root, definitions, order, missing, done, path);
        return new DependencyResolution(root, cycle.Count > 0 ? [] : order, cycle, [.. missing]);
    }

    private static List<string> Visit(string name, ImmutableDictionary<string, AgentDefinition> definitions, List<string> order, SortedSet<string> missing, HashSet<string> done, List<string> path)
    {
        if (done.Contains(name)) return [];
        var open = path.IndexOf(name);
        if (open >= 0) return [.. path.Skip(open), name];
        if (!definitions.TryGetValue(name, out var definition))
        {
            missing.Add(name);
            return [];
        }

        path.Add(name);
        foreach (var dependency in definition.DependsOn)
        {
            var cycle = Visit(dependency, definitions, order, missing, done, path);
            if (cycle.Count > 0) return cycle;
        }

        path.RemoveAt(path.Count - 1);
        done.Add(name);
        order.Add(name);
        return [];
    }
}
