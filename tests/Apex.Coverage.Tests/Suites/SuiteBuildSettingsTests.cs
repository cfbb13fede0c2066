using Apex.Coverage.Tests.Runs;
using Apex.Coverage.Web.Results;
using Apex.Coverage.Web.Suites;
using Microsoft.AspNetCore.Hosting;

namespace Apex.Coverage.Tests.Suites;

/// <summary>
/// A suite's Configuration, Framework and MSBuild properties: checked at start, passed to
/// `dotnet build`, named in the build log — through tests/fixtures/Apex.Fixture.Settings, which
/// builds only with them and whose test checks what it was built with.
/// </summary>
public sealed class SuiteBuildSettingsTests
{
    private const string Suite = "Settings";

    [Fact]
    public async Task BuildBeforeRun_BuildsWithTheSuitesSettingsAndNamesThemInTheLog_WhenTheyAreConfigured()
    {
        var project = FixtureSuiteBuild.SettingsProject;
        var assembly = await FixtureSuiteBuild.TargetPathAsync(project, "Configuration=Release", "TargetFramework=net10.0");
        await using var factory = new RunnerHostFactory(assembly, configure: builder =>
        {
            builder.UseSetting($"Suites:{Suite}:Project", project);
            builder.UseSetting($"Suites:{Suite}:Assembly", assembly);
            builder.UseSetting($"Suites:{Suite}:BuildBeforeRun", "true");
            builder.UseSetting($"Suites:{Suite}:Configuration", "Release");
            builder.UseSetting($"Suites:{Suite}:Framework", "net10.0");
            builder.UseSetting($"Suites:{Suite}:Properties:ApexFixtureGreeting", "hello from the dashboard");
        });

        var run = await factory.WaitForEndAsync(await factory.StartAsync(Suite), seconds: 300);

        Assert.True(run.Status == RunStatus.Passed, $"{run.Status}: {run.Message}\n{run.BuildLog}");
        Assert.Equal((1, 1), (run.Total, run.Passed));
        var firstLine = run.BuildLog!.Split('\n')[0];
        Assert.Contains("Configuration=Release", firstLine, StringComparison.Ordinal);
        Assert.Contains("Framework=net10.0", firstLine, StringComparison.Ordinal);
        Assert.Contains("-p:ApexFixtureGreeting=hello from the dashboard", firstLine, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_StopsNamingEachKey_WhenBuildSettingsAreInvalid()
    {
        await using var factory = new RunnerHostFactory("unused.dll", configure: builder =>
        {
            builder.UseSetting($"Suites:{Suite}:Assembly", "x.dll");
            builder.UseSetting($"Suites:{Suite}:BuildBeforeRun", "false");
            builder.UseSetting($"Suites:{Suite}:Configuration", "Release; rm -rf");
            builder.UseSetting($"Suites:{Suite}:Framework", "dotnet10");
            builder.UseSetting($"Suites:{Suite}:Properties:1st", "x");
            builder.UseSetting($"Suites:{Suite}:Properties:Defines", "A;B");
        });

        var error = Assert.ThrowsAny<Exception>(() => factory.Server).ToString();

        Assert.Contains($"Suites:{Suite}:Configuration must be a configuration name", error, StringComparison.Ordinal);
        Assert.Contains($"Suites:{Suite}:Framework must be a target framework moniker", error, StringComparison.Ordinal);
        Assert.Contains($"Suites:{Suite}:Properties:1st is not an MSBuild property name", error, StringComparison.Ordinal);
        Assert.Contains($"Suites:{Suite}:Properties:Defines must not contain ';'", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Arguments_PassEachSettingAsOneArgument_InAStableOrder()
    {
        var settings = new SuiteBuildSettings("Release", "net10.0", new Dictionary<string, string> { ["b"] = "two words", ["A"] = "1" });

        Assert.Equal(["-c", "Release", "-f", "net10.0", "-p:A=1", "-p:b=two words"], settings.Arguments());
        Assert.Empty(SuiteBuildSettings.None.Arguments());
    }
}
