using Apex.Coverage.Tests.Runs;
using Apex.Coverage.Web.TestingPlatform;
using Apex.Coverage.Web.Suites;

namespace Apex.Coverage.Tests.TestingPlatform;

/// <summary>Which build outputs are Microsoft.Testing.Platform apps, and which of those run in server mode.</summary>
public sealed class TestingPlatformSuiteTests
{
    [Theory]
    [InlineData("Apex.Fixture.Mtp.Xunit", true, true)]
    [InlineData("Apex.Fixture.Mtp.MSTest", false, false)]
    [InlineData("Apex.Fixture.Mtp.NUnit", false, false)]
    public async Task Detect_TellsWhetherVsTestCanHostAndWhetherGlobalJsonSelectsThePlatform_WhenAssemblyIsAnMtpApp(string fixture, bool vsTestCanHost, bool globalJson)
    {
        var app = TestingPlatformDetector.Detect(await FixtureSuiteBuild.BuildAsync(TestingPlatformHost.FixtureProject(fixture)));

        Assert.NotNull(app);
        Assert.Equal((vsTestCanHost, globalJson), (app.VsTestCanHost, app.GlobalJson is not null));
        // Auto runs it as `dotnet test` would: in server mode when VSTest cannot host it or global.json selects the platform.
        Assert.True(app.RunsInServerMode(SuiteRunner.Auto));
        Assert.Equal(!vsTestCanHost, app.RunsInServerMode(SuiteRunner.VsTest));
    }

    [Fact]
    public async Task Detect_AnswersNull_WhenTheAssemblyIsAVsTestSuite()
    {
        var assembly = await FixtureSuiteBuild.BuildAsync(FixtureSuiteBuild.SuiteProject);

        Assert.Null(TestingPlatformDetector.Detect(assembly));
    }
}
