using System.Collections.Immutable;
using System.Reflection;
using System.Runtime.Loader;

namespace Apex.Platform.Agents;

/// <summary>A tool the dispatcher can run: one version of it, and where it came from.</summary>
public sealed record LoadedTool(string Name, Version Version, ISubAgent Agent, string Source);

/// <summary>The registry's answer to a load or a selection: the tool, or why not.</summary>
public sealed record ToolLoadResult(LoadedTool? Tool, IReadOnlyList<string> Problems)
{
    public bool Loaded => Tool is not null;
}

/// <summary>A manifest the registry refused, kept so operators can see why a tool is missing.</summary>
public sealed record ToolRefusal(string Source, string? Name, string? Version, IReadOnlyList<string> Problems);

/// <summary>
/// Every tool version the platform knows. The sub-agents compiled in are version 1.0.0; further
/// tools and versions are loaded at run time from manifests, each checked before it is added: the
/// manifest's fields, the type (found, an ISubAgent, named as the manifest says), the services its
/// constructor needs (this platform must provide them) and the tools it requires (present in a
/// compatible version). The dispatcher uses each tool's selected version, by default the highest.
/// </summary>
public sealed class ToolRegistry(IEnumerable<ISubAgent> builtIns, IServiceProvider services, ILogger<ToolRegistry> logger)
{
    public const string BuiltInSource = "built-in";
    private static readonly Version BuiltInVersion = new(1, 0, 0);

    private readonly Lock _gate = new();
    private ImmutableDictionary<string, ImmutableSortedDictionary<Version, LoadedTool>> _tools = builtIns.ToImmutableDictionary(
        agent => agent.Name,
        agent => ImmutableSortedDictionary<Version, LoadedTool>.Empty.Add(BuiltInVersion, new LoadedTool(agent.Name, BuiltInVersion, agent, BuiltInSource)),
        StringComparer.Ordinal);
    private ImmutableDictionary<string, Version> _selected = ImmutableDictionary<string, Version>.Empty;
    private ImmutableList<ToolRefusal> _refused = [];

    public IReadOnlyList<ToolRefusal> Refused => _refused;

    /// <summary>Every loaded version of every tool.</summary>
    public IReadOnlyList<LoadedTool> All => [.. _tools.Values.SelectMany(versions => versions.Values).OrderBy(t => t.Name, StringComparer.Ordinal).ThenBy(t => t.Version)];

    /// <summary>The version of each tool the dispatcher runs.</summary>
    public IReadOnlyList<LoadedTool> Active => [.. _tools.Keys.Order(StringComparer.Ordinal).Select(name => Find(name)!)];

    public LoadedTool? Find(string name) => _tools.TryGetValue(name, out var versions)
        ? _selected.TryGetValue(name, out var chosen) && versions.TryGetValue(chosen, out var tool) ? tool : versions.Values.Last()
        : null;

    public ToolLoadResult Load(ToolManifest manifest, string source)
    {
        var problems = ToolManifestRules.Check(manifest);
        var agent = problems.Count == 0 ? Instantiate(manifest, problems) : null;
        lock (_gate)
        {
            if (agent is not null) CheckPlacement(manifest, problems);
            if (problems.Count == 0)
            {
                var tool = new LoadedTool(manifest.Name!, ToolManifestRules.ParseVersion(manifest.Version)!, agent!, source);
                var versions = _tools.GetValueOrDefault(tool.Name, ImmutableSortedDictionary<Version, LoadedTool>.Empty);
                _tools = _tools.SetItem(tool.Name, versions.Add(tool.Version, tool));
                return new ToolLoadResult(tool, []);
            }
        }

        Refuse(new ToolRefusal(source, manifest.Name, manifest.Version, problems));
        return new ToolLoadResult(null, problems);
    }

    /// <summary>Adds a tool the platform composes itself (e.g. a fallback chain) as a built-in version 1.0.0.</summary>
    public LoadedTool Register(ISubAgent agent, string source)
    {
        var tool = new LoadedTool(agent.Name, BuiltInVersion, agent, source);
        lock (_gate)
        {
            _tools = _tools.SetItem(agent.Name, ImmutableSortedDictionary<Version, LoadedTool>.Empty.Add(BuiltInVersion, tool));
        }

        return tool;
    }

    /// <summary>Records a manifest that could not be loaded, e.g. one that is not even JSON.</summary>
    public void Refuse(ToolRefusal refusal)
    {
        logger.LogWarning("Tool manifest {Source} refused: {Problems}", refusal.Source, string.Join("; ", refusal.Problems));
        lock (_gate) _refused = _refused.Add(refusal);
    }

    /// <summary>Runs <paramref name="version"/> of the tool from now on (e.g. back to the last good one).</summary>
    public ToolLoadResult Select(string name, string version)
    {
        lock (_gate)
        {
            if (!_tools.TryGetValue(name, out var versions))
            {
                return new ToolLoadResult(null, [$"No tool '{name}' is loaded"]);
            }

            if (ToolManifestRules.ParseVersion(version) is not { } wanted || !versions.TryGetValue(wanted, out var tool))
            {
                return new ToolLoadResult(null, [$"Tool '{name}' has no version '{version}'; loaded: {string.Join(", ", versions.Keys)}"]);
            }

            _selected = _selected.SetItem(name, wanted);
            return new ToolLoadResult(tool, []);
        }
    }

    private void CheckPlacement(ToolManifest manifest, List<string> problems)
    {
        if (_tools.TryGetValue(manifest.Name!, out var versions) && versions.ContainsKey(ToolManifestRules.ParseVersion(manifest.Version)!))
        {
            problems.Add($"'{manifest.Name}' {manifest.Version} is already loaded");
        }

        foreach (var (name, text) in manifest.Requires ?? new Dictionary<string, string>())
        {
            var required = ToolManifestRules.ParseVersion(text)!;
            var available = _tools.TryGetValue(name, out var candidates) ? candidates.Keys.ToList() : [];
            if (!available.Any(version => ToolManifestRules.Satisfies(version, required)))
            {
                problems.Add(available.Count == 0
                    ? $"requires tool '{name}' {required}, which is not loaded"
                    : $"requires tool '{name}' {required} (same major, at least that version), but only {string.Join(", ", available)} is loaded");
            }
        }
    }

    private ISubAgent? Instantiate(ToolManifest manifest, List<string> problems)
    {
        if (ResolveType(manifest, problems) is not { } type || !CanConstruct(type, problems))
        {
            return null;
        }

        var agent = (ISubAgent)ActivatorUtilities.CreateInstance(services, type);
        if (agent.Name != manifest.Name)
        {
            problems.Add($"the manifest names the tool '{manifest.Name}' but {type.FullName} calls itself '{agent.Name}'");
            return null;
        }

        // An agent built for an older protocol is wrapped in an adapter; one the platform cannot speak is refused.
        var protocol = Versioning.AgentProtocol.Check(agent);
        if (protocol.Refusal is { } refusal) problems.Add(refusal);
        return protocol.Agent;
    }

    private static Type? ResolveType(ToolManifest manifest, List<string> problems)
    {
        Type? type;
        try
        {
            type = manifest.Assembly is { } path ? LoadAssembly(path).GetType(manifest.Type!, throwOnError: false) : System.Type.GetType(manifest.Type!, throwOnError: false);
        }
        catch (Exception exception) when (exception is IOException or BadImageFormatException or ArgumentException)
        {
            problems.Add($"assembly '{manifest.Assembly}' cannot be loaded: {exception.Message}");
            return null;
        }

        if (type is null || !typeof(ISubAgent).IsAssignableFrom(type) || type.IsAbstract)
        {
            problems.Add(type is null ? $"type '{manifest.Type}' is not found" : $"type '{manifest.Type}' does not implement {nameof(ISubAgent)}");
            return null;
        }

        return type;
    }

    // Assemblies already loaded (the platform's own, a plug-in loaded before) are reused, not loaded twice.
    private static Assembly LoadAssembly(string path)
    {
        var full = Path.GetFullPath(path);
        return AssemblyLoadContext.Default.Assemblies.FirstOrDefault(a => !a.IsDynamic && string.Equals(a.Location, full, StringComparison.Ordinal))
            ?? AssemblyLoadContext.Default.LoadFromAssemblyPath(full);
    }

    /// <summary>The dependency check on services: every constructor parameter must be one this platform provides.</summary>
    private bool CanConstruct(Type type, List<string> problems)
    {
        var isService = services.GetRequiredService<IServiceProviderIsService>();
        var constructor = type.GetConstructors().OrderByDescending(c => c.GetParameters().Length).FirstOrDefault();
        var missing = (constructor?.GetParameters() ?? []).Where(p => !isService.IsService(p.ParameterType)).Select(p => p.ParameterType.FullName).ToList();
        if (constructor is null) problems.Add($"type '{type.FullName}' has no public constructor");
        if (missing.Count > 0) problems.Add($"type '{type.FullName}' needs {string.Join(", ", missing)}, which this platform does not provide");
        return constructor is not null && missing.Count == 0;
    }
}
