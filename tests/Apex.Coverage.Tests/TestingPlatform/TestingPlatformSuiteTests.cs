using Apex.Coverage.Tests.Runs;
using Apex.Coverage.Web.Results;
using Apex.Coverage.Web.TestingPlatform;
using Microsoft.AspNetCore.Hosting;

namespace Apex.Coverage.Tests.TestingPlatform;

/// <summary>
/// Microsoft.Testing.Platform apps VSTest cannot host (xunit v3 in MTP mode selected by global.json,
/// MSTest with its runner enabled): recognised from their build output, and the run ends failed
/// with one sentence naming the cause and the fix instead of VSTest's missing-testhost message.
/// </summary>
public sealed class TestingPlatformSuiteTests
{
    private const string Suite = "Mtp";

    public static TheoryData<string, bool> Apps => new()
    {
        { "Apex.Fixture.Mtp.Xunit", true },
        { "Apex.Fixture.Mtp.MSTest", false },
    };

    [Theory]
    [MemberData(nameof(Apps))]
    public async Task Run_EndsFailedWithOneSentenceNamingCauseAndFix_WhenSuiteIsAnMtpAppVsTestCannotHost(string fixture, bool globalJson)
    {
        var assembly = await FixtureSuiteBuild.BuildAsync(Path.Combine(FixtureSuiteBuild.RepoRoot, "tests", "fixtures", fixture, fixture + ".csproj"));
        await using var factory = new RunnerHostFactory(assembly, configure: builder =>
        {
            builder.UseSetting($"Suites:{Suite}:Assembly", assembly);
            builder.UseSetting($"Suites:{Suite}:BuildBeforeRun", "false");
        });

        var run = await factory.WaitForEndAsync(await factory.StartAsync(Suite));

        Assert.Equal((RunStatus.Failed, 0), (run.Status, run.Total));
        Assert.StartsWith($"Suite '{Suite}' is a Microsoft.Testing.Platform test app ({fixture}.dll", run.Message, StringComparison.Ordinal);
        Assert.Contains("reference Microsoft.NET.Test.Sdk", run.Message, StringComparison.Ordinal);
        Assert.Contains("--report-trx", run.Message, StringComparison.Ordinal);
        Assert.Equal(globalJson, run.Message!.Contains("global.json", StringComparison.Ordinal));
        Assert.DoesNotContain("testhost", run.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(await factory.ResultsAsync(run.Id));
    }

    [Fact]
    public async Task Detect_AnswersNull_WhenTheAssemblyIsAVsTestSuite()
    {
        var assembly = await FixtureSuiteBuild.BuildAsync(FixtureSuiteBuild.SuiteProject);

        Assert.Null(TestingPlatformDetector.Detect(assembly));
    }
}
