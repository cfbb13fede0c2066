using Apex.Coverage.Tests.Runs;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;

namespace Apex.Coverage.Tests.TestingPlatform;

/// <summary>
/// The Microsoft.Testing.Platform fixture apps, built once, and one dashboard host with them
/// configured as suites: xunit v3 (dual-mode, global.json selecting the platform) as is, through
/// VSTest, hanging, hanging with a short timeout, crashing, unable to start; MSTest's and NUnit's runners; an app with coverlet's MTP extension.
/// </summary>
public sealed class TestingPlatformHost : IAsyncLifetime
{
    public const string Xunit = "MtpXunit";
    public const string XunitThroughVsTest = "MtpXunitVsTest";
    public const string Hanging = "MtpHang";
    public const string HangingShortTimeout = "MtpHangTimeout";
    public const string Crashing = "MtpCrash";
    public const string CannotStart = "MtpCannotStart";
    public const string MSTest = "MtpMSTest";
    public const string NUnit = "MtpNUnit";
    public const string Coverage = "MtpCoverage";

    /// <summary>The coverage target: the library the coverage fixture app calls (as the VSTest fixture suite does).</summary>
    public const string CoverageTarget = "Apex.Fixture.Library";

    public string XunitAssembly { get; private set; } = string.Empty;

    /// <summary>The file whose creation lets the crashing suite's test crash its app.</summary>
    public string CrashSignal { get; } = Path.Combine(Path.GetTempPath(), $"apex-mtp-crash-{Guid.NewGuid():N}");

    public RunnerHostFactory Factory { get; private set; } = null!;

    /// <summary>What the host's run executor logged (each run's timeline).</summary>
    public RunLog Log { get; } = new();

    public static string FixtureProject(string name) =>
        Path.Combine(FixtureSuiteBuild.RepoRoot, "tests", "fixtures", name, name + ".csproj");

    public async ValueTask InitializeAsync()
    {
        XunitAssembly = await FixtureSuiteBuild.BuildAsync(FixtureProject("Apex.Fixture.Mtp.Xunit"));
        var msTest = await FixtureSuiteBuild.BuildAsync(FixtureProject("Apex.Fixture.Mtp.MSTest"));
        var nUnit = await FixtureSuiteBuild.BuildAsync(FixtureProject("Apex.Fixture.Mtp.NUnit"));
        var coverage = await FixtureSuiteBuild.BuildAsync(FixtureProject("Apex.Fixture.Mtp.Coverage"));
        Factory = new RunnerHostFactory(XunitAssembly, configure: builder =>
        {
            builder.ConfigureLogging(logging => logging.AddProvider(Log));
            Suite(builder, Xunit, XunitAssembly);
            Suite(builder, XunitThroughVsTest, XunitAssembly, ("Runner", "VsTest"));
            Suite(builder, Hanging, XunitAssembly, ("Environment:APEX_FIXTURE_HANG", "1"), ("Environment:" + ProcessTable.OwnerVariable, ProcessTable.Owner));
            Suite(builder, HangingShortTimeout, XunitAssembly, ("Environment:APEX_FIXTURE_HANG", "1"), ("Environment:" + ProcessTable.OwnerVariable, ProcessTable.Owner), ("RunTimeout", "00:00:08"));
            Suite(builder, Crashing, XunitAssembly, ("Environment:APEX_FIXTURE_CRASH", "1"), ("Environment:APEX_FIXTURE_CRASH_SIGNAL", CrashSignal));
            // The runtime refuses to start an app whose startup hook does not exist.
            Suite(builder, CannotStart, XunitAssembly, ("Environment:DOTNET_STARTUP_HOOKS", "/nonexistent/apex-hook.dll"));
            Suite(builder, MSTest, msTest);
            Suite(builder, NUnit, nUnit);
            Suite(builder, Coverage, coverage);
            builder.UseSetting("Coverage:TargetAssembly", CoverageTarget);
        });
        _ = Factory.Server;
    }

    public static void Suite(IWebHostBuilder builder, string name, string assembly, params (string Key, string Value)[] settings)
    {
        builder.UseSetting($"Suites:{name}:Assembly", assembly);
        builder.UseSetting($"Suites:{name}:BuildBeforeRun", "false");
        foreach (var (key, value) in settings)
        {
            builder.UseSetting($"Suites:{name}:{key}", value);
        }
    }

    public async ValueTask DisposeAsync()
    {
        File.Delete(CrashSignal);
        await Factory.DisposeAsync();
    }
}
