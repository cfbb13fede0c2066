using Apex.Coverage.Web.Plan;
using Apex.Coverage.Web.Runs;
using Apex.Coverage.Web.Suites;
using Microsoft.Extensions.Options;

namespace Apex.Coverage.Web.Standards;

/// <summary>
/// The standards check of the configured suite against the current plan, shared by the API and
/// the pages. It is computed again only when the plan version or the suite's source changes (a
/// fingerprint of the files' count, sizes and write times), so reading it costs a directory listing.
/// </summary>
public sealed class StandardsService(PlanCatalog plan, StandardsSuite suite, IOptions<StandardsOptions> options, TimeProvider clock)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private Checked? _latest;

    /// <summary>The check, or null while no plan has been imported.</summary>
    public async Task<StandardsReport?> GetAsync(CancellationToken cancellationToken = default)
    {
        if (plan.Current is not { } snapshot)
        {
            return null;
        }

        var rules = StandardsRules.From(snapshot.Document.Standards);
        if (suite.SourceFolder is not { } root)
        {
            return Empty(suite.Name, rules, "The standards are checked in a suite's source code, and no suite with a project is set up for it yet; an administrator names one in the dashboard's settings.");
        }

        var key = $"{snapshot.Version}|{Fingerprint(root)}";
        if (Volatile.Read(ref _latest) is { } latest && latest.Key == key)
        {
            return latest.Report;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_latest is { } again && again.Key == key)
            {
                return again.Report;
            }

            var report = await CheckAsync(suite.Name, root, rules, cancellationToken);
            Volatile.Write(ref _latest, new Checked(key, report));
            return report;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<StandardsReport> CheckAsync(string suiteName, string root, StandardsRules rules, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(root))
        {
            return Empty(suiteName, rules, $"The suite's source folder {root} does not exist.");
        }

        // Parsing ~200 files takes a moment of CPU: keep it off the request's synchronisation context.
        var checker = new SuiteSourceChecker(options.Value.MockingLibraries);
        var (files, classes, findings) = await Task.Run(() => checker.CheckAsync(root, suite.DisplayRoot, rules, cancellationToken), cancellationToken);
        return new StandardsReport(suiteName, rules, files, classes, findings, clock.GetUtcNow());
    }

    private StandardsReport Empty(string suite, StandardsRules rules, string problem) =>
        new(suite, rules, 0, [], [], clock.GetUtcNow(), problem);

    private static string Fingerprint(string root)
    {
        if (!Directory.Exists(root))
        {
            return "missing";
        }

        var files = new DirectoryInfo(root).EnumerateFiles("*", SearchOption.AllDirectories)
            .Where(f => f.Extension is ".cs" or ".csproj" && !f.FullName.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.FullName.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .ToList();
        return $"{files.Count}:{files.Sum(f => f.Length)}:{(files.Count == 0 ? 0 : files.Max(f => f.LastWriteTimeUtc.Ticks))}";
    }

    private sealed record Checked(string Key, StandardsReport Report);
}

/// <summary>
/// The suite whose source is checked: its name, its project's folder (null when it has no project)
/// and the folder finding paths are shown relative to (the repo root the dashboard runs from).
/// </summary>
public sealed record StandardsSuite(string Name, string? SourceFolder, string DisplayRoot)
{
    public static StandardsSuite Resolve(SuiteCatalog suites, StandardsOptions options, RunsOptions runs, IHostEnvironment host)
    {
        var name = options.Suite ?? runs.DefaultSuite ?? suites.Names.FirstOrDefault() ?? "";
        var project = suites.Find(name)?.Project;
        return new StandardsSuite(name, project is null ? null : Path.GetDirectoryName(project), host.ContentRootPath);
    }
}
