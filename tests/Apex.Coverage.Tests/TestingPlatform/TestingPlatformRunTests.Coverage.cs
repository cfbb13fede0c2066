using Apex.Coverage.Web.CodeCoverage;
using Apex.Coverage.Web.Results;
using Apex.Coverage.Web.Runs;
using Microsoft.EntityFrameworkCore;

namespace Apex.Coverage.Tests.TestingPlatform;

/// <summary>
/// Coverage runs of Microsoft.Testing.Platform apps: with coverlet's MTP extension the app measures
/// tests/fixtures/Apex.Fixture.Library as the VSTest collector does (9 of 14 lines, 1 of 2 branches,
/// lines 13-16 and 25 uncovered); without it the results stand and the run says what to add.
/// </summary>
public sealed partial class TestingPlatformRunTests
{
    private Task<long> StartCoverageRunAsync(string suite, RunSelection selection) =>
        Factory.Requests.StartAsync(suite, selection, RunSource.Api, collectCoverage: true, null, TestContext.Current.CancellationToken);

    [Fact]
    public async Task CoverageRun_StoresTheTargetsLinesBranchesAndUncoveredLines_WhenTheAppHasCoverletsExtension()
    {
        var id = await StartCoverageRunAsync(TestingPlatformHost.Coverage, RunSelection.WholeSuite);
        var run = await Factory.WaitForEndAsync(id, seconds: 180);

        Assert.Equal((RunStatus.Passed, 1, (string?)null), (run.Status, run.Total, run.Message));
        await using var db = Factory.Database();
        var coverage = await db.RunCodeCoverage.AsNoTracking().Include(c => c.Modules).SingleAsync(c => c.RunId == id, TestContext.Current.CancellationToken);
        Assert.Equal((TestingPlatformHost.CoverageTarget, 9, 14, 1, 2, (string?)null),
            (coverage.Target, coverage.LinesCovered, coverage.LinesValid, coverage.BranchesCovered, coverage.BranchesValid, coverage.Note));
        Assert.Equal(CodeCoverageSummarizer.RootModule, Assert.Single(coverage.Modules).Name);
        var file = await db.FileCodeCoverage.AsNoTracking().SingleAsync(f => f.RunId == id, TestContext.Current.CancellationToken);
        Assert.Equal(("Arithmetic.cs", "13-16,25"), (file.Path, file.UncoveredLines));
    }

    [Fact]
    public async Task CoverageRun_KeepsResultsAndNamesThePackageToAdd_WhenTheAppHasNoCoverageExtension()
    {
        var id = await StartCoverageRunAsync(TestingPlatformHost.Xunit, new RunSelection(PlanItems: [2]));
        var run = await Factory.WaitForEndAsync(id);

        Assert.Equal((RunStatus.Passed, 3), (run.Status, run.Total));
        Assert.StartsWith("Code coverage is missing: Apex.Fixture.Mtp.Xunit.dll is a Microsoft.Testing.Platform app without coverlet's extension",
            run.Message, StringComparison.Ordinal);
        Assert.EndsWith("add the coverlet.MTP package to the suite.", run.Message, StringComparison.Ordinal);
        await using var db = Factory.Database();
        var coverage = await db.RunCodeCoverage.AsNoTracking().SingleAsync(c => c.RunId == id, TestContext.Current.CancellationToken);
        Assert.Equal(0, coverage.LinesValid);
    }
}
