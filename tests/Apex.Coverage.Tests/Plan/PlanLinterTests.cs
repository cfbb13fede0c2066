using Apex.Coverage.Tests.Fixtures;
using Apex.Coverage.Web.Plan;

namespace Apex.Coverage.Tests.Plan;

public sealed class PlanLinterTests
{
    private static PlanParseResult ParseSecondPlanWith(string from, string to)
    {
        var text = PlanFixtures.Text(PlanFixtures.SecondPlan);
        Assert.Contains(from, text, StringComparison.Ordinal);
        return PlanParser.Parse(text.Replace(from, to, StringComparison.Ordinal));
    }

    [Fact]
    public void Lint_ReportsAuthMrrAgainstBvjSum_WhenGivenTheRealPlan()
    {
        var findings = PlanFixtures.Parse(PlanFixtures.RealPlan).Findings;

        var auth = Assert.Single(findings, f => f.Code == "category-mrr-vs-bvj" && f.Line == 39);
        Assert.Contains("$150K", auth.Message, StringComparison.Ordinal);
        Assert.Contains("$169K", auth.Message, StringComparison.Ordinal);
        Assert.Equal(6, findings.Count(f => f.Code == "category-mrr-vs-bvj"));
    }

    [Fact]
    public void Lint_ReportsPhasesWhoseStatedMrrDiffers_WhenGivenTheRealPlan()
    {
        var findings = PlanFixtures.Parse(PlanFixtures.RealPlan).Findings;

        Assert.Equal([559, 569], findings.Where(f => f.Code == "phase-mrr-vs-computed").Select(f => f.Line));
    }

    [Fact]
    public void Lint_ReportsOverviewCount_WhenItDiffersFromItemsPresent()
    {
        var result = ParseSecondPlanWith("| Notifications | 3 |", "| Notifications | 4 |");

        var finding = Assert.Single(result.Findings);
        Assert.Equal(("count-vs-items", 13), (finding.Code, finding.Line));
    }

    [Fact]
    public void Lint_ReportsDuplicateAndMissingNumbers_WhenItemIsRenumbered()
    {
        var result = ParseSecondPlanWith("#### 11. SMS Delivery Updates", "#### 10. SMS Delivery Updates");

        Assert.Contains(result.Findings, f => f.Code == "duplicate-item-number" && f.Line == 83);
        Assert.Contains(result.Findings, f => f.Code == "missing-item-number" && f.Message.StartsWith("Item 11 is missing", StringComparison.Ordinal));
    }

    [Fact]
    public void Lint_ReportsItemOutsideRange_WhenNumberExceedsCategoryRange()
    {
        var result = ParseSecondPlanWith("(Tests 6-9)", "(Tests 6-8)");

        Assert.Contains(result.Findings, f => f.Code == "item-outside-range" && f.Line == 71);
    }

    [Fact]
    public void Lint_ReportsItemOutOfOrder_WhenNumberGoesBackwards()
    {
        var result = ParseSecondPlanWith("#### 3. Partial Refund Flow", "#### 13. Partial Refund Flow");

        Assert.Contains(result.Findings, f => f.Code == "item-out-of-order" && f.Line == 43);
    }

    [Fact]
    public void Lint_ReportsPhaseMrr_WhenStatedFigureDiffersFromComputed()
    {
        var result = ParseSecondPlanWith("- **MRR Protected:** $500K", "- **MRR Protected:** $450K");

        var finding = Assert.Single(result.Findings);
        Assert.Equal("phase-mrr-vs-computed", finding.Code);
        Assert.Contains("$500K", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Lint_ReportsStatusTable_WhenItContradictsTheItem()
    {
        var result = ParseSecondPlanWith("| 7 | Coupon Stacking Rules | ✅ Implemented |", "| 7 | Coupon Stacking Rules | 📋 Planned |");

        Assert.Contains(result.Findings, f => f.Code == "status-table-vs-item" && f.Line == 20);
    }
}
