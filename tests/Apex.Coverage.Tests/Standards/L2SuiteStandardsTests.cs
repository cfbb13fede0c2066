using Apex.Coverage.Tests.Fixtures;
using Apex.Coverage.Tests.Runs;
using Apex.Coverage.Web.Standards;

namespace Apex.Coverage.Tests.Standards;

/// <summary>
/// Keeps the L2 suite (tests/Apex.Integration) within the plan's own Testing Standards: the same
/// check the dashboard shows, over the suite's source as it is in this checkout.
/// </summary>
public sealed class L2SuiteStandardsTests
{
    private static readonly StandardsRules Rules = StandardsRules.From(PlanFixtures.Parse(PlanFixtures.RealPlan).Document.Standards);

    private static async Task<(int Files, IReadOnlyList<CheckedTestClass> Classes, IReadOnlyList<StandardFinding> Findings)> CheckAsync() =>
        await new SuiteSourceChecker(new StandardsOptions().MockingLibraries).CheckAsync(
            Path.Combine(FixtureSuiteBuild.RepoRoot, "tests", "Apex.Integration"), FixtureSuiteBuild.RepoRoot, Rules, TestContext.Current.CancellationToken);

    [Fact]
    public async Task Check_FindsNothing_InTheL2Suite()
    {
        var (_, _, findings) = await CheckAsync();

        Assert.True(findings.Count == 0, string.Join('\n', findings.Select(f => $"{f.File}:{f.Line} [{f.Rule}] {f.Message}")));
    }

    [Fact]
    public async Task Check_ReadsATestClassForEveryPlanItem_InTheL2Suite()
    {
        var (files, classes, _) = await CheckAsync();

        Assert.True(files > 100, $"{files} files read");
        Assert.Equal(Enumerable.Range(1, 100), classes.SelectMany(c => c.PlanItems).Distinct().Order());
    }
}
