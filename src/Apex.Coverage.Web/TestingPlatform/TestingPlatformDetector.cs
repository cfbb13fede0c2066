using System.Text.Json;
using Apex.Coverage.Web.Suites;

namespace Apex.Coverage.Web.TestingPlatform;

/// <summary>What the build output and global.json say about a Microsoft.Testing.Platform test app.</summary>
public sealed record TestingPlatformApp(string Assembly, bool VsTestCanHost, string? GlobalJson)
{
    /// <summary>
    /// Whether the dashboard runs it through the platform's server mode: as `dotnet test` would
    /// (Auto: when VSTest cannot host it, or global.json selects the platform), or as configured.
    /// </summary>
    public bool RunsInServerMode(SuiteRunner runner) => runner switch
    {
        SuiteRunner.VsTest => !VsTestCanHost,
        SuiteRunner.TestingPlatform => true,
        _ => !VsTestCanHost || GlobalJson is not null,
    };

    /// <summary>
    /// The one sentence a run that cannot go on ends with: the cause (in the app's own words when
    /// it wrote any) and the fix.
    /// </summary>
    public string CannotRunMessage(string suite, string cause) =>
        $"Suite '{suite}' is a Microsoft.Testing.Platform test app ({Path.GetFileName(Assembly)}"
        + (GlobalJson is null ? string.Empty : $", selected in {GlobalJson}")
        + $") that {cause}, so its tests could not run: run `dotnet {Path.GetFileName(Assembly)} --list-tests` in "
        + $"{Path.GetDirectoryName(Assembly)} to see the error, and fix it (a missing runtime, a startup failure) "
        + $"or set Suites:{suite}:Runner to VsTest with Microsoft.NET.Test.Sdk and the framework's VSTest adapter referenced.";

    /// <summary>The sentence for a suite configured to run in server mode that is not a platform app.</summary>
    public static string NotAnAppMessage(string suite, string assembly) =>
        $"Suite '{suite}' is configured with Runner TestingPlatform, but {Path.GetFileName(assembly)} has no "
        + $"{TestingPlatformDetector.PlatformAssembly} beside it: enable the framework's Microsoft.Testing.Platform runner "
        + $"(xunit v3: xunit.v3; MSTest: EnableMSTestRunner; NUnit: EnableNUnitRunner) or set Suites:{suite}:Runner to Auto.";
}

/// <summary>
/// Tells a Microsoft.Testing.Platform (MTP) test app from a VSTest test assembly by its build
/// output: MTP apps carry Microsoft.Testing.Platform.dll; VSTest can host one only when
/// Microsoft.NET.Test.Sdk put testhost.dll beside it (xunit v3 and MSTest can be both at once).
/// global.json's `test.runner` is read as `dotnet test` reads it: a dual-mode app it selects the
/// platform for runs in server mode.
/// </summary>
public static class TestingPlatformDetector
{
    public const string PlatformAssembly = "Microsoft.Testing.Platform.dll";

    /// <summary>The app's description, or null when <paramref name="assembly"/> is not an MTP app.</summary>
    public static TestingPlatformApp? Detect(string assembly)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(assembly))!;
        if (!File.Exists(Path.Combine(folder, PlatformAssembly)))
        {
            return null;
        }

        var vsTestCanHost = File.Exists(Path.Combine(folder, "testhost.dll"));
        return new TestingPlatformApp(assembly, vsTestCanHost, GlobalJsonSelectingMtp(folder));
    }

    private static string? GlobalJsonSelectingMtp(string folder)
    {
        for (var dir = new DirectoryInfo(folder); dir is not null; dir = dir.Parent)
        {
            var path = Path.Combine(dir.FullName, "global.json");
            if (File.Exists(path))
            {
                return SelectsMtp(path) ? path : null;
            }
        }

        return null;
    }

    private static bool SelectsMtp(string path)
    {
        try
        {
            using var json = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            return json.RootElement.TryGetProperty("test", out var test) && test.ValueKind == JsonValueKind.Object
                && test.TryGetProperty("runner", out var runner) && runner.ValueKind == JsonValueKind.String
                && string.Equals(runner.GetString(), "Microsoft.Testing.Platform", StringComparison.OrdinalIgnoreCase);
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
