namespace Apex.Coverage.Web.Selection;

/// <summary>The source files one plan item's tests executed in its latest coverage-map run ("Module/Path", as the coverage report names them).</summary>
public sealed record ItemFiles(int Item, long RunId, IReadOnlyList<string> Files);

/// <summary>A plan item a change touches, and which changed files made it so.</summary>
public sealed record ImpactedItem(int Item, long MapRunId, IReadOnlyList<string> Because);

/// <summary>
/// Which plan items a change touches: an item is touched when a changed file is one its tests
/// executed. Coverage paths are relative to the measured module's source folder, so a changed
/// repository path matches when it equals one or ends with "/" and one (ADR 0202). Pure.
/// </summary>
public static class ChangeImpact
{
    public static List<ImpactedItem> Of(IReadOnlyList<ItemFiles> map, IReadOnlyList<string> changedFiles)
    {
        var changed = changedFiles.Select(Normalise).Where(f => f.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        return [.. map.Select(item => new ImpactedItem(item.Item, item.RunId,
                [.. changed.Where(c => item.Files.Any(f => Touches(c, f))).Order(StringComparer.Ordinal)]))
            .Where(i => i.Because.Count > 0)
            .OrderBy(i => i.Item)];
    }

    /// <summary>The files a unified diff (git diff) changes: its "+++ b/…" and "--- a/…" headers, /dev/null left out.</summary>
    public static List<string> FilesOfDiff(string diff) =>
        [.. diff.Split('\n')
            .Select(line => line.TrimEnd('\r'))
            .Where(line => line.StartsWith("+++ ", StringComparison.Ordinal) || line.StartsWith("--- ", StringComparison.Ordinal))
            .Select(line => line[4..].Split('\t')[0].Trim())
            .Where(path => path != "/dev/null")
            .Select(path => path.StartsWith("a/", StringComparison.Ordinal) || path.StartsWith("b/", StringComparison.Ordinal) ? path[2..] : path)
            .Distinct(StringComparer.Ordinal)];

    private static bool Touches(string changed, string moduleAndPath)
    {
        var path = moduleAndPath[(moduleAndPath.IndexOf('/', StringComparison.Ordinal) + 1)..];
        return changed == path || changed.EndsWith("/" + path, StringComparison.Ordinal);
    }

    private static string Normalise(string path) => path.Trim().Replace('\\', '/').TrimStart('.', '/');
}
