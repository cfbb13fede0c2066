using Apex.Coverage.Tests.Fixtures;
using Apex.Coverage.Web.Plan;

namespace Apex.Coverage.Tests.Plan;

public sealed class PlanBadInputTests
{
    [Theory]
    [InlineData("empty.md", "plan-empty", 0)]
    [InlineData("binary.bin", "plan-not-text", 1)]
    [InlineData("truncated.md", "category-without-section", 20)]
    [InlineData("non-numeric-mrr.md", "overview-mrr-not-numeric", 12)]
    [InlineData("heading-out-of-order.md", "item-outside-category", 25)]
    public void Parse_ReportsErrorWithLine_WhenInputIsBroken(string fixture, string code, int line)
    {
        var result = PlanFixtures.Parse(fixture);

        Assert.True(result.HasErrors);
        Assert.Contains(result.Findings, f => f.Severity == FindingSeverity.Error && f.Code == code && f.Line == line);
    }

    [Fact]
    public void Parse_WarnsWithItemLine_WhenItemHasNoBvj()
    {
        var result = PlanFixtures.Parse("item-without-bvj.md");

        Assert.False(result.HasErrors);
        var finding = Assert.Single(result.Findings, f => f.Code == "item-without-bvj");
        Assert.Equal(33, finding.Line);
        Assert.Contains("Item 2", finding.Message, StringComparison.Ordinal);
        Assert.Null(result.Document.Items.Single(i => i.Number == 2).BvjMrr);
    }

    [Fact]
    public void Parse_WarnsAboutLastItem_WhenFileEndsInsideIt()
    {
        var result = PlanFixtures.Parse("truncated.md");

        Assert.Contains(result.Findings, f => f.Code == "item-without-bvj" && f.Line == 301);
        Assert.Contains(result.Findings, f => f.Code == "count-vs-items" && f.Message.Contains("has 2", StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_RejectsText_WhenItHoldsControlCharacters()
    {
        var result = PlanParser.Parse("# Plan\n\nfine line\nbad \0 line\n");

        var finding = Assert.Single(result.Findings);
        Assert.Equal(("plan-not-text", 4), (finding.Code, finding.Line));
    }

    [Fact]
    public void Parse_ReportsNoItems_WhenMarkdownHasNoPlanStructure()
    {
        var result = PlanParser.Parse("# Shopping list\n\n- eggs\n- milk\n");

        Assert.Contains(result.Findings, f => f.Code == "plan-without-items" && f.Severity == FindingSeverity.Error);
    }

    [Fact]
    public void Parse_ReportsSectionMrr_WhenHeadingMrrIsNotAFigure()
    {
        var text = PlanFixtures.Text(PlanFixtures.SecondPlan)
            .Replace("(Tests 10-12) - $100K MRR Protection", "(Tests 10-12) - lots of MRR", StringComparison.Ordinal);

        var result = PlanParser.Parse(text);

        Assert.Contains(result.Findings, f => f.Code == "section-mrr-not-numeric" && f.Line == 76);
    }
}
