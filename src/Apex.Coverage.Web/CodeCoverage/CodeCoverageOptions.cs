using System.ComponentModel.DataAnnotations;

namespace Apex.Coverage.Web.CodeCoverage;

/// <summary>How coverage runs are collected and how plan categories map to the target's modules ("Coverage:...").</summary>
public sealed class CodeCoverageOptions
{
    public const string SectionName = "Coverage";

    /// <summary>The assembly whose coverage is measured; the collector's Include is [TargetAssembly]*.</summary>
    [Required(AllowEmptyStrings = false)]
    [RegularExpression(@"^[A-Za-z0-9_.\-]+$", ErrorMessage = "Coverage:TargetAssembly must be an assembly name (letters, digits, '.', '_', '-').")]
    public string TargetAssembly { get; set; } = "Apex.Platform";

    /// <summary>
    /// The folder holding coverlet.collector.dll. Empty: next to the test assembly (a published
    /// suite), else the newest coverlet.collector in the NuGet packages folder.
    /// </summary>
    public string? CollectorPath { get; set; }

    /// <summary>Where each coverage run's results go before the report is read (deleted after).</summary>
    [Required(AllowEmptyStrings = false)]
    public string ResultsPath { get; set; } = Path.Combine(Path.GetTempPath(), "apex-coverage-results");

    /// <summary>
    /// Plan category slug → the target's modules it exercises. A category not named here gets the
    /// modules whose name starts like a word of its slug ("cache-state-management" → Caching).
    /// </summary>
    public Dictionary<string, string[]> Categories { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The modules a category exercises among those measured.</summary>
    public IReadOnlyList<string> ModulesOf(string slug, IEnumerable<string> measured)
    {
        if (Categories.TryGetValue(slug, out var configured) && configured.Length > 0)
        {
            return configured;
        }

        var words = slug.Replace("-", "", StringComparison.Ordinal).ToLowerInvariant();
        return [.. measured.Where(m => m.Length >= 4 && words.Contains(m[..4].ToLowerInvariant(), StringComparison.Ordinal))];
    }
}
