using Apex.Coverage.Web.CodeCoverage;
using Apex.Coverage.Web.Selection;

namespace Apex.Coverage.Web.Mutation;

/// <summary>The --mutate globs of one run and where they came from, in words shown with the run.</summary>
public sealed record MutationTargets(IReadOnlyList<string> Mutate, string From);

/// <summary>
/// Which platform files a mutation run of an item mutates (docs/adr/0251). When the coverage map
/// (ADR 0202) has the item: the files its tests executed that lie in its category's modules —
/// the map alone also holds every capability's start-up code, which any test executes and whose
/// mutants would only cost time; all executed files when none lies in those modules. When the map
/// does not have the item: the category's modules, as before. Pure.
/// </summary>
public static class MutationTargeting
{
    public static MutationTargets Choose(ItemFiles? mapped, IReadOnlyList<string> modules)
    {
        var executed = mapped is null ? [] : ExecutedSourceFiles(mapped);
        if (executed.Count == 0)
        {
            return new MutationTargets(StrykerCommand.Globs(modules), "the category's modules (the coverage map does not have the item)");
        }

        var own = executed.Where(f => modules.Contains(f.Module, StringComparer.OrdinalIgnoreCase)).ToList();
        return own.Count > 0
            ? new MutationTargets(Globs(own), $"the coverage map (run {mapped!.RunId}): {own.Count} of the {executed.Count} executed files lie in the category's modules")
            : new MutationTargets(Globs(executed), $"the coverage map (run {mapped!.RunId}): all {executed.Count} executed files (none lies in the category's modules)");
    }

    /// <summary>The map's files as (module, path inside the project); generated code and paths the report could not place are left out.</summary>
    private static List<(string Module, string Path)> ExecutedSourceFiles(ItemFiles mapped) =>
        [.. mapped.Files
            .Select(f => f.Split('/', 2))
            .Where(p => p.Length == 2 && p[0] != CodeCoverageSummarizer.GeneratedModule && !System.IO.Path.IsPathRooted(p[1]) && p[1].EndsWith(".cs", StringComparison.OrdinalIgnoreCase))
            .Select(p => (Module: p[0], Path: p[1]))
            .Distinct()];

    private static List<string> Globs(IEnumerable<(string Module, string Path)> files) =>
        [.. files.Select(f => "**/" + f.Path).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
}

/// <summary>The targets of a run of an item: the coverage map as the dashboard reads it (ADR 0202), and the item's modules.</summary>
public sealed class MutationTargetFinder(CoverageMap map, MutationService service)
{
    public async Task<MutationTargets> TargetsOfAsync(int planItem, CancellationToken cancellationToken) =>
        MutationTargeting.Choose(await MappedFilesAsync(planItem, cancellationToken), service.ModulesOf(planItem));

    private async Task<ItemFiles?> MappedFilesAsync(int planItem, CancellationToken cancellationToken)
    {
        try
        {
            return (await map.ReadAsync(service.Suite, cancellationToken)).FirstOrDefault(i => i.Item == planItem);
        }
        catch (Runs.SelectionException)
        {
            // The suite has no known test yet, so no coverage map either.
            return null;
        }
    }
}
