using System.Text.Json;
using Microsoft.Extensions.Options;

namespace Apex.Platform.Agents;

/// <summary>
/// The tool loader: at start, every manifest in Platform:Agents:ToolManifestsPath goes to the
/// registry. Manifests load in dependency order as far as it goes (a tool requiring another one
/// from the same directory waits for it), and a bad manifest is refused with its reasons while
/// the platform starts: one broken plug-in must not take the agents down.
/// </summary>
public sealed class ToolManifestLoader(ToolRegistry registry, IOptions<AgentsOptions> options) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.ToolManifestsPath is not { } directory)
        {
            return;
        }

        if (!Directory.Exists(directory))
        {
            throw new InvalidOperationException($"Platform:Agents:ToolManifestsPath names '{directory}', which is not a directory.");
        }

        var pending = new List<(string Source, ToolManifest Manifest)>();
        foreach (var file in Directory.EnumerateFiles(directory, "*.json").Order(StringComparer.Ordinal))
        {
            if (await ReadAsync(file, cancellationToken) is { } manifest) pending.Add((Path.GetFileName(file), manifest));
        }

        LoadInDependencyOrder(pending);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void LoadInDependencyOrder(List<(string Source, ToolManifest Manifest)> pending)
    {
        // Load what can be loaded; retry the rest while a pass still makes progress. The last pass
        // goes through Load as well, so every manifest that stays refused is recorded with its reasons.
        while (pending.Count > 0)
        {
            var ready = pending.Where(p => (p.Manifest.Requires ?? new Dictionary<string, string>()).Keys.All(name => registry.Find(name) is not null)).ToList();
            var batch = ready.Count > 0 ? ready : pending;
            foreach (var item in batch) registry.Load(item.Manifest, item.Source);
            pending = [.. pending.Except(batch)];
        }
    }

    private async Task<ToolManifest?> ReadAsync(string file, CancellationToken cancellationToken)
    {
        try
        {
            return ToolManifest.Parse(await File.ReadAllTextAsync(file, cancellationToken));
        }
        catch (JsonException exception)
        {
            registry.Refuse(new ToolRefusal(Path.GetFileName(file), null, null, [$"the manifest is not valid JSON: {exception.Message}"]));
            return null;
        }
    }
}

/// <summary>What GET /api/agents/tools answers: every loaded version (which one runs) and every refused manifest.</summary>
public sealed record ToolCatalog(IReadOnlyList<ToolCatalog.Entry> Tools, IReadOnlyList<ToolRefusal> Refused)
{
    public static ToolCatalog From(ToolRegistry registry)
    {
        var active = registry.Active.ToHashSet();
        return new ToolCatalog([.. registry.All.Select(t => new Entry(t.Name, t.Version.ToString(), active.Contains(t), t.Source))], registry.Refused);
    }

    public sealed record Entry(string Name, string Version, bool Active, string Source);
}
