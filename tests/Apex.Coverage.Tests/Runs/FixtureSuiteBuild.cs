using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Apex.Coverage.Tests.Runs;

/// <summary>
/// Builds tests/fixtures/Apex.Fixture.Suite once for the test assembly and knows where the build
/// put it (it follows APEX_BUILD_DIR like every other build, so the path is asked of MSBuild).
/// </summary>
public sealed class FixtureSuiteBuild : IAsyncLifetime
{
    public static string RepoRoot { get; } = FindRepoRoot();

    public static string SuiteProject => Path.Combine(RepoRoot, "tests", "fixtures", "Apex.Fixture.Suite", "Apex.Fixture.Suite.csproj");

    public static string BrokenProject => Path.Combine(RepoRoot, "tests", "fixtures", "Apex.Fixture.Broken", "Apex.Fixture.Broken.csproj");

    public string Assembly { get; private set; } = string.Empty;

    public async ValueTask InitializeAsync()
    {
        var start = new ProcessStartInfo("dotnet", ["build", SuiteProject, "-nologo", "--disable-build-servers", "-t:Build", "-getProperty:TargetPath"])
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
            throw new InvalidOperationException($"Building the fixture suite failed:\n{text}\n{await error}");
        }

        Assembly = text.Trim().Split('\n')[^1].Trim();
        if (!File.Exists(Assembly))
        {
            throw new InvalidOperationException($"The fixture suite's build reported {Assembly}, which does not exist.");
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private static string FindRepoRoot([CallerFilePath] string source = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(source)!, "..", "..", ".."));
}
