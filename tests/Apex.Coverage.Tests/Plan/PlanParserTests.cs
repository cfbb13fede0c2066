using Apex.Coverage.Tests.Fixtures;
using Apex.Coverage.Web.Plan;

namespace Apex.Coverage.Tests.Plan;

public sealed class PlanParserTests
{
    private static readonly PlanParseResult Real = PlanFixtures.Parse(PlanFixtures.RealPlan);

    [Fact]
    public void Parse_FindsHundredItemsInEightCategories_WhenGivenTheRealPlan()
    {
        Assert.False(Real.HasErrors);
        Assert.Equal(100, Real.Document.Items.Count);
        Assert.Equal(Enumerable.Range(1, 100), Real.Document.Items.Select(i => i.Number));
        Assert.Equal(8, Real.Document.Categories.Count);
        Assert.Equal(870_000m, Real.Document.TotalMrr);
        Assert.Equal(870_000m, Real.Document.StatedTotalMrr);
    }

    [Theory]
    [InlineData("authentication-authorization", 15, 150_000, "P0", 1, 15)]
    [InlineData("websocket-real-time", 15, 120_000, "P0", 16, 30)]
    [InlineData("agent-orchestration", 20, 200_000, "P0", 31, 50)]
    [InlineData("database-coordination", 15, 90_000, "P1", 51, 65)]
    [InlineData("cache-state-management", 10, 60_000, "P1", 66, 75)]
    [InlineData("performance-scalability", 10, 80_000, "P2", 76, 85)]
    [InlineData("error-recovery-resilience", 10, 70_000, "P1", 86, 95)]
    [InlineData("business-critical-flows", 5, 100_000, "P0", 96, 100)]
    public void Parse_ReadsCategoryFigures_WhenGivenTheRealPlan(
        string slug, int count, int mrr, string priority, int first, int last)
    {
        var category = Assert.Single(Real.Document.Categories, c => c.Slug == slug);

        Assert.Equal((count, (decimal)mrr, priority, first, last),
            (category.Count, category.Mrr, category.Priority, category.FirstItem!.Value, category.LastItem!.Value));
        Assert.Equal(count, Real.Document.Items.Count(i => i.CategorySlug == slug));
    }

    [Fact]
    public void Parse_DeclaresExactlyFourItemsImplemented_WhenGivenTheRealPlan()
    {
        var implemented = Real.Document.Items.Where(i => i.DeclaredStatus == DeclaredStatus.Implemented);

        Assert.Equal([1, 2, 31, 96], implemented.Select(i => i.Number));
    }

    [Fact]
    public void Parse_ReadsItemDetails_WhenItemHasBvjComponentsAndScenarios()
    {
        var item = Real.Document.Items.Single(i => i.Number == 3);

        Assert.Equal("Session Redis Sync", item.Name);
        Assert.Equal("Session consistency prevents $8K MRR user frustration churn", item.Bvj);
        Assert.Equal(8_000m, item.BvjMrr);
        Assert.Equal(["Redis cluster", "session manager", "auth service"], item.Components);
        Assert.Equal(["Session creation", "updates", "invalidation", "cross-instance sync"], item.Scenarios);
        Assert.Equal(DeclaredStatus.Planned, item.DeclaredStatus);
        Assert.Equal(51, item.Line);
    }

    [Fact]
    public void Parse_StripsStatusMarkFromName_WhenHeadingCarriesCheckMark()
    {
        var item = Real.Document.Items.Single(i => i.Number == 1);

        Assert.Equal("OAuth-to-JWT-to-WebSocket Flow", item.Name);
        Assert.Equal(DeclaredStatus.Implemented, item.DeclaredStatus);
    }

    [Fact]
    public void Parse_ReadsImplementationStatusTable_WithFileLocations()
    {
        var entries = Real.Document.StatusEntries;

        Assert.Equal(5, entries.Count);
        Assert.Equal("test_oauth_jwt_websocket_flow.py", entries[0].FileLocation);
        Assert.Equal((3, 100, DeclaredStatus.Planned), (entries[4].FirstItem, entries[4].LastItem, entries[4].Status));
    }

    [Fact]
    public void Parse_ReadsRoadmapPhases_WithRangesAndStatedMrr()
    {
        var phases = Real.Document.Phases;

        Assert.Equal([280_000m, 280_000m, 310_000m], phases.Select(p => p.StatedMrr!.Value));
        Assert.Equal([(1, 15), (31, 35), (96, 100)], phases[0].Ranges.Select(r => (r.First, r.Last)));
        Assert.Equal("Core Agents", phases[0].Ranges[1].Label);
    }

    [Fact]
    public void Parse_ReadsSuccessMetricsAndStandards_WhenGivenTheRealPlan()
    {
        var metrics = Real.Document.Metrics;

        Assert.Equal(60m, metrics.CoverageTargetPercent);
        Assert.Equal(TimeSpan.FromMinutes(10), metrics.TimeBudget);
        Assert.Equal(1m, metrics.FlakinessLimitPercent);
        Assert.Equal(870_000m, metrics.ProtectedMrr);
        Assert.Contains(Real.Document.Standards, s => s.Title == "Architecture Compliance" && s.Text.Contains("450-line", StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_GivesSameCatalog_WhenPlanIsTheMojibakeOriginal()
    {
        var original = PlanFixtures.Parse(PlanFixtures.MojibakePlan);

        Assert.False(original.HasErrors);
        Assert.Equal(Real.Document.Items, original.Document.Items, PlanItemComparer.Instance);
        Assert.Equal([1, 2, 31, 96], original.Document.Items.Where(i => i.DeclaredStatus == DeclaredStatus.Implemented).Select(i => i.Number));
        Assert.Contains(original.Findings, f => f.Code == "mojibake-repaired" && f.Line == 29);
    }

    [Fact]
    public void Parse_ReadsADifferentPlan_WhenCategoriesAndFiguresDiffer()
    {
        var second = PlanFixtures.Parse(PlanFixtures.SecondPlan);

        Assert.Empty(second.Findings);
        Assert.Equal(["payments-refunds", "cart-pricing-engine", "notifications"], second.Document.Categories.Select(c => c.Slug));
        Assert.Equal(1_500_000m, second.Document.TotalMrr);
        Assert.Equal(1_500_000m, second.Document.StatedTotalMrr);
        Assert.Equal([1, 7], second.Document.Items.Where(i => i.DeclaredStatus == DeclaredStatus.Implemented).Select(i => i.Number));
        Assert.Equal(100_000m, second.Document.Items.Single(i => i.Number == 7).BvjMrr);
        Assert.Equal((80m, TimeSpan.FromMinutes(15), 2m),
            (second.Document.Metrics.CoverageTargetPercent, second.Document.Metrics.TimeBudget!.Value, second.Document.Metrics.FlakinessLimitPercent));
    }

    private sealed class PlanItemComparer : IEqualityComparer<PlanItem>
    {
        public static readonly PlanItemComparer Instance = new();

        public bool Equals(PlanItem? x, PlanItem? y) =>
            x is not null && y is not null
            && (x.Number, x.Name, x.CategorySlug, x.Bvj, x.BvjMrr, x.DeclaredStatus, x.Line)
                == (y.Number, y.Name, y.CategorySlug, y.Bvj, y.BvjMrr, y.DeclaredStatus, y.Line)
            && x.Components.SequenceEqual(y.Components) && x.Scenarios.SequenceEqual(y.Scenarios);

        public int GetHashCode(PlanItem obj) => obj.Number;
    }
}
