using Apex.Coverage.Web.Runs;
using Apex.Coverage.Web.VsTest;

namespace Apex.Coverage.Tests.Runs;

public sealed class VsTestConsoleLocatorTests
{
    [Fact]
    public void Locate_FindsTheSdksVsTestConsole_OnThisMachine()
    {
        var path = new VsTestConsoleLocator().Locate();

        Assert.EndsWith("vstest.console.dll", path, StringComparison.Ordinal);
        Assert.True(File.Exists(path));
        Assert.True(File.Exists(Path.Combine(Path.GetDirectoryName(path)!, "Microsoft.TestPlatform.VsTestConsole.TranslationLayer.dll")));
    }

    [Fact]
    public void Locate_PicksTheNewestSdk_WhenSeveralAreInstalled()
    {
        var root = Directory.CreateTempSubdirectory("apex-dotnet-root").FullName;
        foreach (var version in new[] { "9.0.300", "10.0.401", "10.0.100" })
        {
            Directory.CreateDirectory(Path.Combine(root, "sdk", version));
            File.WriteAllText(Path.Combine(root, "sdk", version, "vstest.console.dll"), string.Empty);
        }

        var path = new VsTestConsoleLocator(name => name == "DOTNET_ROOT" ? root : null, []).Locate();

        Assert.Equal(Path.Combine(root, "sdk", "10.0.401", "vstest.console.dll"), path);
    }

    [Fact]
    public void Locate_ThrowsNamingDotnetRoot_WhenNoRootHasAnSdk()
    {
        var empty = Directory.CreateTempSubdirectory("apex-no-sdk").FullName;
        var locator = new VsTestConsoleLocator(name => name == "DOTNET_ROOT" ? empty : null, [empty]);

        var error = Assert.Throws<FileNotFoundException>(locator.Locate);

        Assert.Contains("DOTNET_ROOT", error.Message, StringComparison.Ordinal);
    }
}
