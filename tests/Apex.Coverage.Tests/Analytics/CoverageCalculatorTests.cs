using Apex.Coverage.Web.Analytics;
using Apex.Coverage.Web.Plan;
using static Apex.Coverage.Tests.Analytics.History;

namespace Apex.Coverage.Tests.Analytics;

public sealed class CoverageCalculatorTests
{
    private static readonly FlakinessRule Rule = FlakinessRule.Default;

    /// <summary>Category "auth" ($100K: item 1 BVJ $30K, item 2 BVJ $70K), category "data" ($50K, items 3 and 4 without BVJ figures).</summary>
    private static PlanDocument Plan(DeclaredStatus item1 = DeclaredStatus.Planned) => PlanDocument.Empty with
    {
        Categories =
        [
            new PlanCategory("Auth", "auth", 2, 100_000m, "P0", 1, 2, null, 1, null),
            new PlanCategory("Data", "data", 2, 50_000m, "P1", 3, 4, null, 2, null),
        ],
        Items =
        [
            Item(1, "auth", 30_000m, item1), Item(2, "auth", 70_000m), Item(3, "data", null), Item(4, "data", null),
        ],
        Metrics = new SuccessMetrics(60m, TimeSpan.FromMinutes(10), 1m, 150_000m, []),
    };

    private static PlanItem Item(int number, string slug, decimal? bvj, DeclaredStatus declared = DeclaredStatus.Planned) =>
        new(number, $"Item {number}", slug, "", bvj, [], [], declared, number);

    private static TestCoverage Test(string name, string history, int[] items, bool quarantined = false, params string?[] commits) =>
        new(name, items, TestVerdict.Judge(Of(history, commits), Rule, quarantined), quarantined);

    private static CoverageReport Calculate(PlanDocument plan, params TestCoverage[] tests) =>
        CoverageCalculator.Calculate(plan, tests, null, Rule, DateTimeOffset.UnixEpoch);

    [Fact]
    public void Calculate_ProtectsBvjShareOfCategoryMrr_WhenOneItemPasses()
    {
        var report = Calculate(Plan(), Test("t1", "P", [1]), Test("t2", "F", [2]));

        var auth = report.Category("auth")!.Figures;
        Assert.Equal((30_000m, 70_000m), (auth.ProtectedMrr, auth.MrrAtRisk));
        Assert.Equal((2, 1, 1), (auth.Implemented, auth.Passing, auth.Failing));
        Assert.Equal((30_000m, 120_000m), (report.Totals.ProtectedMrr, report.Totals.MrrAtRisk));
    }

    [Fact]
    public void Calculate_ProtectsWholePlanMrr_WhenEveryItemPasses()
    {
        var report = Calculate(Plan(), Test("t1", "P", [1, 2]), Test("t3", "P", [3]), Test("t4", "P P", [4]));

        Assert.Equal((150_000m, 0m, 4, 4), (report.Totals.ProtectedMrr, report.Totals.MrrAtRisk, report.Totals.Passing, report.Totals.Implemented));
    }

    [Fact]
    public void Calculate_SplitsCategoryEvenly_WhenItsItemsStateNoBvj()
    {
        var report = Calculate(Plan(), Test("t3", "P", [3]));

        Assert.Equal(25_000m, report.Category("data")!.Figures.ProtectedMrr);
    }

    [Fact]
    public void Calculate_MarksItemNotImplemented_WhenNoTestCarriesItsNumber()
    {
        var report = Calculate(Plan(), Test("t1", "P", [1]));

        Assert.Equal(ItemStatus.NotImplemented, report.Item(2)!.Status);
        Assert.Equal((1, 1), (report.Category("auth")!.Figures.Implemented, report.Totals.Implemented));
    }

    [Fact]
    public void Calculate_RollsItemUpAsFailing_WhenOneTestFailsAndAnotherIsFlaky()
    {
        var report = Calculate(Plan(), Test("a", "F", [2]), Test("b", "F P", [2], false, "c1", "c1"), Test("c", "P", [2]));

        Assert.Equal(ItemStatus.Failing, report.Item(2)!.Status);
        Assert.Equal(0m, report.Category("auth")!.Figures.ProtectedMrr);
    }

    [Fact]
    public void Calculate_LeavesQuarantinedTestOutOfRollup_WhenOtherTestPasses()
    {
        var report = Calculate(Plan(), Test("flaky", "F P F", [1], quarantined: true), Test("solid", "P", [1]));

        Assert.Equal(ItemStatus.Passing, report.Item(1)!.Status);
        Assert.Equal(30_000m, report.Category("auth")!.Figures.ProtectedMrr);
    }

    [Fact]
    public void Calculate_MarksItemQuarantinedAndUnprotected_WhenAllItsTestsAreQuarantined()
    {
        var report = Calculate(Plan(), Test("flaky", "P F P", [1], quarantined: true));

        Assert.Equal(ItemStatus.Quarantined, report.Item(1)!.Status);
        Assert.Equal((0m, 1), (report.Totals.ProtectedMrr, report.Totals.Quarantined));
    }

    [Fact]
    public void Calculate_CountsNotRun_WhenMappedTestHasOnlySkippedResults()
    {
        var report = Calculate(Plan(), Test("t", "S S", [3]), Test("u", "", [4]));

        Assert.Equal((ItemStatus.NotRun, ItemStatus.NotRun), (report.Item(3)!.Status, report.Item(4)!.Status));
        Assert.Equal((2, 0d), (report.Category("data")!.Figures.NotRun, report.Totals.FlakyRate));
    }

    [Fact]
    public void Calculate_CountsFlakyRateOverTestsWithResults_WhenOneOfFourIsFlaky()
    {
        var report = Calculate(Plan(),
            Test("a", "F P", [1], false, "x", "x"), Test("b", "P", [2]), Test("c", "P", [3]), Test("d", "F", []), Test("never", "", [4]));

        Assert.Equal(0.25, report.Totals.FlakyRate);
        Assert.Equal((ItemStatus.Flaky, 1), (report.Item(1)!.Status, report.Totals.Flaky));
        Assert.Single(report.Unmapped);
    }

    [Fact]
    public void Calculate_ReportsMismatch_WhenPlanClaimsItemButNoTestCarriesIt()
    {
        var report = Calculate(Plan(item1: DeclaredStatus.Implemented), Test("t3", "P", [3]));

        var claimed = Assert.Single(report.Mismatches, m => m.Number == 1);
        Assert.Equal(ItemStatus.NotImplemented, claimed.Actual);
        var unclaimed = Assert.Single(report.Mismatches, m => m.Number == 3);
        Assert.Contains("planned", unclaimed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Calculate_ReportsNoMismatch_WhenClaimedItemPasses()
    {
        var report = Calculate(Plan(item1: DeclaredStatus.Implemented) with { Items = [Item(1, "auth", 30_000m, DeclaredStatus.Implemented)] }, Test("t1", "P", [1]));

        Assert.Empty(report.Mismatches);
    }

    [Fact]
    public void Calculate_SumsLatestDurations_WhenNoWholeSuiteRunFinished()
    {
        var report = Calculate(Plan(), Test("t1", "P", [1]), Test("t2", "P", [2]));

        Assert.Equal(3.0, report.Totals.LastSuiteSeconds);
        Assert.Equal(150_000m, report.Targets.ProtectedMrr);
    }

    [Fact]
    public void Calculate_GivesTestItsItemsMrr_WhenRankingFlakyTests()
    {
        var report = Calculate(Plan(), Test("t", "P F P", [1, 2]));

        Assert.Equal(100_000m, report.Tests.Single().ItemsMrr);
    }
}
