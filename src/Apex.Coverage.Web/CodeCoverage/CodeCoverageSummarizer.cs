namespace Apex.Coverage.Web.CodeCoverage;

/// <summary>
/// Turns a report's classes into the target's figures: lines counted once per file (a file's
/// nested and compiler-generated classes repeat its lines), grouped by module, where a module is
/// the first folder under the target's project folder ("src/Apex.Platform/Auth/X.cs" → Auth), or
/// the namespace segment after the assembly name when the path does not show the project folder.
/// </summary>
public static class CodeCoverageSummarizer
{
    public const string RootModule = "(root)";

    /// <summary>Source generators' output (regex, logging, JSON): real code of the assembly, but no folder's.</summary>
    public const string GeneratedModule = "(generated)";

    public static CoverageSummary Summarize(string target, IEnumerable<CoberturaClass> classes)
    {
        var files = classes.Where(c => string.Equals(c.Package, target, StringComparison.OrdinalIgnoreCase))
            .GroupBy(c => c.FileName, StringComparer.Ordinal)
            .Select(g => File(target, g.ToList()))
            .OrderBy(f => f.Path, StringComparer.Ordinal)
            .ToList();
        var modules = files.GroupBy(f => f.Module, StringComparer.Ordinal)
            .Select(g => new ModuleSummary(g.Key, CodeCoverageCounts.Sum(g.Select(f => f.Counts)), g.Count()))
            .OrderBy(m => m.Name, StringComparer.Ordinal)
            .ToList();
        return new CoverageSummary(target, CodeCoverageCounts.Sum(files.Select(f => f.Counts)), modules, files);
    }

    private static FileSummary File(string target, IReadOnlyList<CoberturaClass> classes)
    {
        // A line two classes share counts once: hit if either hit it, with the most branches seen.
        var lines = classes.SelectMany(c => c.Lines).GroupBy(l => l.Number)
            .Select(g => new CoberturaLine(g.Key, g.Max(l => l.Hits), g.Max(l => l.BranchesCovered), g.Max(l => l.BranchesValid)))
            .OrderBy(l => l.Number)
            .ToList();
        var counts = new CodeCoverageCounts(lines.Count(l => l.Hits > 0), lines.Count, lines.Sum(l => l.BranchesCovered), lines.Sum(l => l.BranchesValid));
        var (path, module) = Locate(target, classes[0]);
        return new FileSummary(path, module, counts, [.. lines.Where(l => l.Hits == 0).Select(l => l.Number)]);
    }

    /// <summary>The file's path inside the target's project folder and its module.</summary>
    public static (string Path, string Module) Locate(string target, CoberturaClass @class)
    {
        var segments = @class.FileName.Split(['/', '\\'], StringSplitOptions.RemoveEmptyEntries);
        var generated = @class.FileName.EndsWith(".g.cs", StringComparison.OrdinalIgnoreCase) || segments.Contains("obj", StringComparer.OrdinalIgnoreCase);
        var project = Array.FindLastIndex(segments, s => string.Equals(s, target, StringComparison.OrdinalIgnoreCase));
        if (project >= 0 && project < segments.Length - 1)
        {
            var inside = segments[(project + 1)..];
            return (string.Join('/', inside), generated ? GeneratedModule : inside.Length > 1 ? inside[0] : RootModule);
        }

        return (@class.FileName, generated ? GeneratedModule : NamespaceModule(target, @class.Name));
    }

    private static string NamespaceModule(string target, string className)
    {
        var prefix = target + ".";
        if (!className.StartsWith(prefix, StringComparison.Ordinal))
        {
            return RootModule;
        }

        var rest = className[prefix.Length..].Split('.');
        return rest.Length > 1 ? rest[0] : RootModule;
    }

    /// <summary>Line numbers as ranges for storage and display: [13,14,15,16,25] → "13-16,25".</summary>
    public static string Ranges(IEnumerable<int> numbers)
    {
        var parts = new List<string>();
        int? start = null, previous = null;
        foreach (var n in numbers.Order())
        {
            if (previous is { } p && n == p + 1)
            {
                previous = n;
                continue;
            }

            if (start is { } s) parts.Add(s == previous ? $"{s}" : $"{s}-{previous}");
            start = previous = n;
        }

        if (start is { } last) parts.Add(last == previous ? $"{last}" : $"{last}-{previous}");
        return string.Join(',', parts);
    }
}
