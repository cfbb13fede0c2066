using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Apex.Coverage.Tests.Runs;

/// <summary>
/// Builds tests/fixtures/Apex.Fixture.Suite (or another fixture project) once for the test assembly and knows where the build
/// put it (it follows APEX_BUILD_DIR like every other build, so the path is asked of MSBuild).
/// </summary>
public sealed class FixtureSuiteBuild : IAsyncLifetime
{
    public static string RepoRoot { get; } = FindRepoRoot();

    public static string SuiteProject => Path.Combine(RepoRoot, "tests", "fixtures", "Apex.Fixture.Suite", "Apex.Fixture.Suite.csproj");

    public static string FastProject => Path.Combine(RepoRoot, "tests", "fixtures", "Apex.Fixture.Fast", "Apex.Fixture.Fast.csproj");

    public static string NUnitProject => Path.Combine(RepoRoot, "tests", "fixtures", "Apex.Fixture.NUnit", "Apex.Fixture.NUnit.csproj");

    public static string SettingsProject => Path.Combine(RepoRoot, "tests", "fixtures", "Apex.Fixture.Settings", "Apex.Fixture.Settings.csproj");

    public static string BrokenProject => Path.Combine(RepoRoot, "tests", "fixtures", "Apex.Fixture.Broken", "Apex.Fixture.Broken.csproj");

    public string Assembly { get; private set; } = string.Empty;

    public async ValueTask InitializeAsync() => Assembly = await BuildAsync(SuiteProject);

    /// <summary>Where a build of <paramref name="project"/> with <paramref name="properties"/> puts its assembly (nothing is built).</summary>
    public static async Task<string> TargetPathAsync(string project, params string[] properties)
    {
        var start = new ProcessStartInfo("dotnet", ["msbuild", project, "-nologo", "-getProperty:TargetPath", .. properties.Select(p => $"-p:{p}")])
        {
            RedirectStandardOutput = true,
        };
        using var process = Process.Start(start)!;
        var text = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return process.ExitCode == 0 ? text.Trim().Split('\n')[^1].Trim() : throw new InvalidOperationException($"msbuild -getProperty failed: {text}");
    }

    /// <summary>Builds a fixture project and answers the path of the assembly it built.</summary>
    public static async Task<string> BuildAsync(string project)
    {
        var start = new ProcessStartInfo("dotnet", ["build", project, "-nologo", "--disable-build-servers", "-t:Build", "-getProperty:TargetPath"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var text = await output;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"Building {Path.GetFileName(project)} failed:\n{text}\n{await error}");
        }

        var assembly = text.Trim().Split('\n')[^1].Trim();
        return File.Exists(assembly) ? assembly
            : throw new InvalidOperationException($"The build of {Path.GetFileName(project)} reported {assembly}, which does not exist.");
    }

    /// <summary>
    /// Copies the build output around <paramref name="assembly"/> into <paramref name="folder"/> and answers the copy's
    /// assembly. A coverage run instruments the suite's libraries in place for the length of the run; a build of the same
    /// project meanwhile (another test class, or the browser tests in the next project) copies the plain library back over
    /// the instrumented one, and the run measures nothing. A private copy is touched by no build.
    /// </summary>
    public static string CopyOutput(string assembly, string folder)
    {
        var source = Path.GetDirectoryName(assembly)!;
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(folder, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        return Path.Combine(folder, Path.GetFileName(assembly));
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private static string FindRepoRoot([CallerFilePath] string source = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(source)!, "..", "..", ".."));
}
