using System.Xml;
using System.Xml.Linq;

namespace Apex.Coverage.Web.Standards;

/// <summary>
/// Checks a suite's source folder (the folder of its project, bin/ and obj/ left out): every C#
/// file through <see cref="SourceFileCheck"/>, and the project files' package references for
/// mocking libraries. Paths in findings are relative to <c>displayRoot</c> with '/' separators.
/// </summary>
public sealed class SuiteSourceChecker(IReadOnlyList<string> mockingLibraries)
{
    public async Task<(int Files, IReadOnlyList<CheckedTestClass> Classes, IReadOnlyList<StandardFinding> Findings)> CheckAsync(
        string sourceRoot, string displayRoot, StandardsRules rules, CancellationToken cancellationToken)
    {
        var fileCheck = new SourceFileCheck(rules, mockingLibraries);
        var classes = new List<CheckedTestClass>();
        var findings = new List<StandardFinding>();
        var files = SourceFiles(sourceRoot, "*.cs").ToList();
        foreach (var file in files)
        {
            var text = await File.ReadAllTextAsync(file, cancellationToken);
            var (fileClasses, fileFindings) = fileCheck.Check(text, Relative(displayRoot, file));
            classes.AddRange(fileClasses);
            findings.AddRange(fileFindings);
        }

        if (rules.RealComponentsOnly)
        {
            foreach (var project in SourceFiles(sourceRoot, "*.csproj"))
            {
                findings.AddRange(PackageFindings(project, Relative(displayRoot, project)));
            }
        }

        return (files.Count, classes, [.. findings.OrderBy(f => f.File, StringComparer.Ordinal).ThenBy(f => f.Line)]);
    }

    private IEnumerable<StandardFinding> PackageFindings(string project, string path)
    {
        XDocument document;
        try
        {
            document = XDocument.Load(project, LoadOptions.SetLineInfo);
        }
        catch (XmlException)
        {
            yield break;
        }

        foreach (var reference in document.Descendants().Where(e => e.Name.LocalName == "PackageReference"))
        {
            var package = (string?)reference.Attribute("Include") ?? "";
            var library = mockingLibraries.FirstOrDefault(l => package.Equals(l, StringComparison.OrdinalIgnoreCase)
                || package.StartsWith(l + ".", StringComparison.OrdinalIgnoreCase));
            if (library is not null)
            {
                yield return new StandardFinding(StandardRule.Mocking, path, ((IXmlLineInfo)reference).LineNumber, null, [],
                    $"The project references the mocking library {package}; the plan asks for real internal components.");
            }
        }
    }

    private static IEnumerable<string> SourceFiles(string root, string pattern) =>
        Directory.Exists(root)
            ? Directory.EnumerateFiles(root, pattern, SearchOption.AllDirectories)
                .Where(f => !IsBuildOutput(Path.GetRelativePath(root, f)))
                .Order(StringComparer.Ordinal)
            : [];

    private static bool IsBuildOutput(string relative) =>
        relative.Split(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar) is { Length: > 1 } parts
        && parts[..^1].Any(p => p is "bin" or "obj");

    private static string Relative(string root, string file) => Path.GetRelativePath(root, file).Replace('\\', '/');
}
