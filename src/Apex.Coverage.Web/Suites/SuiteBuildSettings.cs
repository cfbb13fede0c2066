using System.Text.RegularExpressions;

namespace Apex.Coverage.Web.Suites;

/// <summary>
/// How `dotnet build` builds a suite before a run: the configuration (`-c`), the target framework
/// of a multi-targeted project (`-f`) and extra MSBuild properties (`-p:Name=Value`). Each is an
/// argument of its own (never a shell line), and the build log's first line names them.
/// </summary>
public sealed partial record SuiteBuildSettings(string? Configuration, string? Framework, IReadOnlyDictionary<string, string> Properties)
{
    public static SuiteBuildSettings None { get; } = new(null, null, new Dictionary<string, string>());

    public IEnumerable<string> Arguments()
    {
        if (Configuration is not null)
        {
            yield return "-c";
            yield return Configuration;
        }

        if (Framework is not null)
        {
            yield return "-f";
            yield return Framework;
        }

        foreach (var (name, value) in Properties.OrderBy(p => p.Key, StringComparer.OrdinalIgnoreCase))
        {
            yield return $"-p:{name}={value}";
        }
    }

    /// <summary>The line the build log starts with, so a reader sees what was asked of MSBuild.</summary>
    public string Describe(string project) =>
        $"Building {project} with Configuration={Configuration ?? "Debug (default)"}, Framework={Framework ?? "every target framework (default)"}"
        + (Properties.Count == 0 ? ", no extra MSBuild properties." : ", properties " + string.Join(" ", Arguments().Where(a => a.StartsWith("-p:", StringComparison.Ordinal))) + ".");

    /// <summary>What is wrong with the settings of suite <paramref name="key"/> ("Suites:X"), each naming its key.</summary>
    public static IEnumerable<string> Problems(string key, SuiteDefinition definition)
    {
        if (definition.Configuration is { } configuration && !ConfigurationName().IsMatch(configuration))
        {
            yield return $"{key}:Configuration must be a configuration name such as \"Debug\" or \"Release\" (letters, digits, '.', '_', '-'); got \"{configuration}\".";
        }

        if (definition.Framework is { } framework && !FrameworkMoniker().IsMatch(framework))
        {
            yield return $"{key}:Framework must be a target framework moniker such as \"net10.0\" or \"net8.0-windows\"; got \"{framework}\".";
        }

        foreach (var (name, value) in definition.Properties)
        {
            if (!PropertyName().IsMatch(name))
            {
                yield return $"{key}:Properties:{name} is not an MSBuild property name (a letter or '_', then letters, digits, '_' or '-').";
            }
            else if (value.Contains(';', StringComparison.Ordinal) || value.Contains('\n', StringComparison.Ordinal))
            {
                yield return $"{key}:Properties:{name} must not contain ';' or a line break (MSBuild would read several properties); write ';' as %3B.";
            }
        }
    }

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
    private static partial Regex ConfigurationName();

    [GeneratedRegex(@"^net(coreapp|standard)?\d+(\.\d+)*(-[a-z]+(\d+(\.\d+)*)?)?$", RegexOptions.IgnoreCase)]
    private static partial Regex FrameworkMoniker();

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_-]{0,127}$")]
    private static partial Regex PropertyName();
}
