using System.Xml.Linq;
using Microsoft.Extensions.Options;

namespace Apex.Coverage.Web.CodeCoverage;

/// <summary>
/// Adds coverlet's data collector to a run's settings. vstest.console finds a data collector only
/// in its adapter paths: `dotnet test` adds coverlet's package folder through an MSBuild target,
/// the translation layer must say it here (TestAdaptersPaths), and the collector must be found.
/// </summary>
public sealed class CodeCoverageRunSettings(IOptions<CodeCoverageOptions> options)
{
    public const string FriendlyName = "XPlat Code Coverage";

    /// <summary>
    /// Not GeneratedCodeAttribute: with it, coverlet 10 cannot instrument an assembly that has
    /// [LoggerMessage] methods from the shared framework (it fails to resolve the attribute's
    /// assembly) and silently measures nothing of Apex.Platform. Generated files are set apart by
    /// path instead (CodeCoverageSummarizer.GeneratedModule). ADR 0230.
    /// </summary>
    public const string ExcludedByAttribute = "CompilerGeneratedAttribute,ExcludeFromCodeCoverageAttribute";

    /// <summary>The run's own results folder: the collector writes its report under it.</summary>
    public string ResultsDirectoryFor(long runId) =>
        Path.Combine(Path.GetFullPath(options.Value.ResultsPath), runId.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>The settings with the collector in; null collector folder means it was not found (the note says where it looked).</summary>
    public (string Settings, string? Missing) AddTo(string runSettings, string testAssembly)
    {
        var collector = LocateCollector(testAssembly);
        var document = XDocument.Parse(runSettings);
        var root = document.Root!;
        var configuration = root.Element("RunConfiguration") ?? new XElement("RunConfiguration");
        if (configuration.Parent is null) root.Add(configuration);
        if (collector is not null) configuration.Add(new XElement("TestAdaptersPaths", collector));
        root.Add(new XElement("DataCollectionRunSettings", new XElement("DataCollectors",
            new XElement("DataCollector", new XAttribute("friendlyName", FriendlyName),
                new XElement("Configuration",
                    new XElement("Format", "cobertura"),
                    new XElement("Include", $"[{options.Value.TargetAssembly}]*"),
                    new XElement("ExcludeByAttribute", ExcludedByAttribute))))));
        var missing = collector is null
            ? $"coverlet.collector was not found (Coverage:CollectorPath, next to {Path.GetFileName(testAssembly)}, or the NuGet packages folder); add the coverlet.collector package to the suite."
            : null;
        return (document.ToString(SaveOptions.DisableFormatting), missing);
    }

    /// <summary>
    /// The options that make a Microsoft.Testing.Platform app measure the target into <paramref name="resultsDirectory"/>
    /// (a Cobertura report, as the collector writes for VSTest). An MTP extension is compiled into the app, so it
    /// cannot be added at run time as the collector is: without coverlet.MTP.dll beside the app, Missing says how to add it (ADR 0261).
    /// </summary>
    public (TestingPlatform.TestAppOptions Options, string? Missing) ForTestingPlatform(string testAssembly, string resultsDirectory)
    {
        if (!File.Exists(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(testAssembly))!, "coverlet.MTP.dll")))
        {
            return (TestingPlatform.TestAppOptions.Default,
                $"{Path.GetFileName(testAssembly)} is a Microsoft.Testing.Platform app without coverlet's extension (no coverlet.MTP.dll beside it); add the coverlet.MTP package to the suite.");
        }

        string[] arguments =
        [
            "--coverlet", "--coverlet-output-format", "cobertura", "--coverlet-include", $"[{options.Value.TargetAssembly}]*",
            .. ExcludedByAttribute.Split(',').SelectMany(attribute => new[] { "--coverlet-exclude-by-attribute", attribute }),
            "--results-directory", resultsDirectory,
        ];
        // The extension instruments before the tests and writes its report after the test host exits.
        return (new TestingPlatform.TestAppOptions(arguments, TimeSpan.FromMinutes(2)), null);
    }

    /// <summary>The folder with coverlet.collector.dll: configured, next to the suite, or the newest in the NuGet cache.</summary>
    public string? LocateCollector(string testAssembly)
    {
        if (!string.IsNullOrWhiteSpace(options.Value.CollectorPath))
        {
            var configured = Path.GetFullPath(options.Value.CollectorPath);
            return HasCollector(configured) ? configured : null;
        }

        var beside = Path.GetDirectoryName(Path.GetFullPath(testAssembly));
        if (beside is not null && HasCollector(beside))
        {
            return beside;
        }

        var packages = Path.Combine(NuGetPackagesFolder(), "coverlet.collector");
        if (!Directory.Exists(packages))
        {
            return null;
        }

        return Directory.EnumerateDirectories(packages)
            .OrderByDescending(d => Version.TryParse(Path.GetFileName(d).Split('-')[0], out var v) ? v : new Version())
            .SelectMany(d => Directory.Exists(Path.Combine(d, "build")) ? Directory.EnumerateDirectories(Path.Combine(d, "build")).OrderByDescending(FrameworkVersion) : Enumerable.Empty<string>())
            .FirstOrDefault(HasCollector);
    }

    // build/net10.0 before build/net9.0: by version, not by name.
    private static Version FrameworkVersion(string folder) =>
        Version.TryParse(Path.GetFileName(folder).Replace("net", "", StringComparison.Ordinal), out var version) ? version : new Version();

    private static bool HasCollector(string folder) => File.Exists(Path.Combine(folder, "coverlet.collector.dll"));

    private static string NuGetPackagesFolder() =>
        Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
}
