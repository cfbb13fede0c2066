using System.Text.Json;
using System.Text.RegularExpressions;

namespace Apex.Platform.Agents;

/// <summary>
/// How a tool is described for loading at run time: its name and version, the ISubAgent type that
/// implements it (from an assembly file, or one the platform has loaded) and the tools it needs,
/// each with the lowest version it works with (same major version: a new major may break it).
/// </summary>
public sealed record ToolManifest(
    string? Name, string? Version, string? Type, string? Assembly = null, IReadOnlyDictionary<string, string>? Requires = null)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static ToolManifest Parse(string json) =>
        JsonSerializer.Deserialize<ToolManifest>(json, Json) ?? throw new JsonException("The manifest is empty.");
}

/// <summary>The validator's rules for a manifest's own fields, before anything is loaded.</summary>
public static partial class ToolManifestRules
{
    public static List<string> Check(ToolManifest manifest)
    {
        var problems = new List<string>();
        if (manifest.Name is null || !ToolName().IsMatch(manifest.Name))
        {
            problems.Add($"'name' must be 2-64 lower-case letters, digits or underscores starting with a letter, got '{manifest.Name}'");
        }

        if (ParseVersion(manifest.Version) is null)
        {
            problems.Add($"'version' must be major.minor.patch, got '{manifest.Version}'");
        }

        if (string.IsNullOrWhiteSpace(manifest.Type))
        {
            problems.Add("'type' must name the class that implements the tool");
        }

        foreach (var (tool, version) in manifest.Requires ?? new Dictionary<string, string>())
        {
            if (ParseVersion(version) is null) problems.Add($"'requires.{tool}' must be a version major.minor.patch, got '{version}'");
        }

        return problems;
    }

    public static Version? ParseVersion(string? text) =>
        text is not null && SemVer().IsMatch(text) && System.Version.TryParse(text, out var version) ? version : null;

    /// <summary>Compatible: the same major version, and at least the minor and patch asked for.</summary>
    public static bool Satisfies(Version available, Version required) => available.Major == required.Major && available >= required;

    [GeneratedRegex("^[a-z][a-z0-9_]{1,63}$")]
    private static partial Regex ToolName();

    [GeneratedRegex(@"^\d{1,5}\.\d{1,5}\.\d{1,5}$")]
    private static partial Regex SemVer();
}
