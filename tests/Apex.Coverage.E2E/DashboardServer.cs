using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Apex.Coverage.E2E;

/// <summary>
/// The real dashboard on Kestrel (a free loopback port), with a temp SQLite database, the real plan
/// and the fixture suite (tests/fixtures/Apex.Fixture.Suite: items 1 and 3 pass, item 2 fails) as
/// its default suite, already built so a run goes straight to the tests. A class that needs more
/// (another suite, other settings) derives and adds to <see cref="ConfigureWebHost"/>.
/// </summary>
public class DashboardServer : WebApplicationFactory<Program>, IAsyncLifetime
{
    public const string Suite = "Fixture";

    public const string CiSuite = "Nightly";

    public string Folder { get; } = Path.Combine(Path.GetTempPath(), $"apex-e2e-{Guid.NewGuid():N}");

    public string FixtureAssembly { get; private set; } = "";

    public Uri Address { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        FixtureAssembly = await BuildFixtureSuiteAsync();
        UseKestrel(0);
        StartServer();
        Address = ClientOptions.BaseAddress;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        Directory.CreateDirectory(Path.Combine(Folder, "plan"));
        var plan = Path.Combine(Folder, "plan", "plan.md");
        File.Copy(Path.Combine(AppContext.BaseDirectory, "Fixtures", "L2_TEST_PLAN.md"), plan, overwrite: true);
        builder.UseSetting("Data:ConnectionString", $"Data Source={Path.Combine(Folder, "data", "coverage.db")};Pooling=False");
        builder.UseSetting("Plan:Path", plan);
        builder.UseSetting("Plan:Watch", "false");
        builder.UseSetting("Runs:DefaultSuite", Suite);
        builder.UseSetting("Runs:ScheduleEditsPath", Path.Combine(Folder, "data", "schedules.json"));
        builder.UseSetting($"Suites:{Suite}:Assembly", FixtureAssembly);
        builder.UseSetting($"Suites:{Suite}:BuildBeforeRun", "false");
        builder.UseSetting("Analytics:DiscoverOnStart", "true");
        // CI uploads land in a suite of their own, so they never mix with the dashboard's runs; it is
        // never built here (only CI runs it), so start-up discovery leaves it alone.
        builder.UseSetting($"Suites:{CiSuite}:Assembly", Path.Combine(Folder, "ci-only", "Nightly.dll"));
        builder.UseSetting($"Suites:{CiSuite}:BuildBeforeRun", "false");
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (Directory.Exists(Folder))
        {
            Directory.Delete(Folder, recursive: true);
        }
    }

    /// <summary>Builds the fixture suite and asks MSBuild where it put it (APEX_BUILD_DIR moves build output).</summary>
    private static async Task<string> BuildFixtureSuiteAsync()
    {
        var project = Path.Combine(RepoRoot(), "tests", "fixtures", "Apex.Fixture.Suite", "Apex.Fixture.Suite.csproj");
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
        var assembly = text.Trim().Split('\n')[^1].Trim();
        return process.ExitCode == 0 && File.Exists(assembly)
            ? assembly
            : throw new InvalidOperationException($"Building the fixture suite failed:\n{text}\n{await error}");
    }

    // The sources' own location: the build output may live outside the tree (APEX_BUILD_DIR).
    private static string RepoRoot([CallerFilePath] string source = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(source)!, "..", ".."));
}
