namespace Apex.Coverage.Web.VsTest;

/// <summary>
/// Finds vstest.console.dll under the dotnet root: the SDK this process was built for when it is
/// installed, otherwise the newest SDK. The translation layer starts it through `dotnet` on PATH.
/// </summary>
public sealed class VsTestConsoleLocator(Func<string, string?> environment, IReadOnlyList<string> wellKnownRoots)
{
    public VsTestConsoleLocator() : this(Environment.GetEnvironmentVariable, ["/usr/share/dotnet", "/usr/lib/dotnet"])
    {
    }

    public string Locate()
    {
        var roots = CandidateRoots().Where(Directory.Exists).Distinct().ToList();
        var found = roots
            .Select(root => Path.Combine(root, "sdk"))
            .Where(Directory.Exists)
            .SelectMany(Directory.EnumerateDirectories)
            .OrderByDescending(dir => Version.TryParse(Path.GetFileName(dir).Split('-')[0], out var v) ? v : new Version(0, 0))
            .Select(dir => Path.Combine(dir, "vstest.console.dll"))
            .FirstOrDefault(File.Exists);
        return found ?? throw new FileNotFoundException(
            $"vstest.console.dll was not found under any dotnet root ({string.Join(", ", roots.DefaultIfEmpty("none found"))}). " +
            "Install the .NET SDK, or set DOTNET_ROOT to its folder.");
    }

    private IEnumerable<string> CandidateRoots()
    {
        if (environment("DOTNET_ROOT") is { Length: > 0 } root) yield return root;
        foreach (var dir in (environment("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var dotnet = Path.Combine(dir, "dotnet");
            if (File.Exists(dotnet)) yield return Path.GetDirectoryName(new FileInfo(dotnet).ResolveLinkTarget(true)?.FullName ?? dotnet)!;
        }

        foreach (var wellKnown in wellKnownRoots) yield return wellKnown;
    }
}
