using Apex.Coverage.Tests.Fixtures;
using Apex.Coverage.Web.Plan;

namespace Apex.Coverage.Tests.Plan;

public sealed class SyntheticPlanTests
{
    [Fact]
    public void Parse_ReadsThousandItemsWithoutFindings_WhenPlanIsTenTimesLarger()
    {
        var result = PlanParser.Parse(SyntheticPlan.Create(1000));

        Assert.Empty(result.Findings);
        Assert.Equal(1000, result.Document.Items.Count);
        Assert.Equal(20, result.Document.Categories.Count);
        Assert.Equal(2_000_000m, result.Document.TotalMrr);
        Assert.Equal(100, result.Document.Items.Count(i => i.DeclaredStatus == DeclaredStatus.Implemented));
    }
}
