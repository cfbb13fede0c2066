using System.Text.Json;

namespace Apex.Coverage.Web.TestingPlatform;

/// <summary>What the build output and global.json say about a Microsoft.Testing.Platform test app.</summary>
public sealed record TestingPlatformApp(string Assembly, bool VsTestCanHost, string? GlobalJson)
{
    /// <summary>
    /// The one sentence a run that cannot go on ends with: the cause and the fix. VSTest needs the
    /// test host (Microsoft.NET.Test.Sdk) and a VSTest adapter next to the assembly; an MTP-only app
    /// has neither, and vstest.console would only say that a testhost package is missing.
    /// </summary>
    public string CannotRunMessage(string suite) =>
        $"Suite '{suite}' is a Microsoft.Testing.Platform test app ({Path.GetFileName(Assembly)}"
        + (GlobalJson is null ? string.Empty : $", selected in {GlobalJson}")
        + ") without the VSTest test host, which this dashboard cannot run yet: reference Microsoft.NET.Test.Sdk and the "
        + "framework's VSTest adapter (xunit v3: xunit.v3.mtp-off with xunit.runner.visualstudio; MSTest: MSTest without "
        + "EnableMSTestRunner), or run it in CI with --report-trx and post the TRX to /api/v1/results.";
}

/// <summary>
/// Tells a Microsoft.Testing.Platform (MTP) test app from a VSTest test assembly by its build
/// output: MTP apps carry Microsoft.Testing.Platform.dll; VSTest can host one only when
/// Microsoft.NET.Test.Sdk put testhost.dll beside it (xunit v3 and MSTest can be both at once).
/// global.json's `test.runner` is read to name it in the message: it decides how `dotnet test` runs
/// the project, not how the dashboard does.
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
