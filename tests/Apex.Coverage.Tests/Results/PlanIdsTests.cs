using Apex.Coverage.Web.Ingestion;
using Apex.Coverage.Web.Results;
using Apex.Coverage.Web.Suites;
using Microsoft.VisualStudio.TestPlatform.ObjectModel;

namespace Apex.Coverage.Tests.Results;

public sealed class PlanIdsTests
{
    [Theory]
    [InlineData("PlanId", "1,2", new[] { 1, 2 })]
    [InlineData("planid", "3; 4", new[] { 3, 4 })]
    [InlineData("PLANID", "5 6,5", new[] { 5, 6 })]
    [InlineData("PlanId", "x,0,-1,7", new[] { 7 })]
    [InlineData("Category", "8", new int[0])]
    public void Of_ReadsPlanItems_WhateverTheTraitNameCaseAndSeparator(string name, string value, int[] expected)
    {
        Assert.Equal(expected, PlanIds.Of([KeyValuePair.Create(name, value)]));
    }

    [Fact]
    public void DiscoveryAndIngestion_MapOneTestToTheSameItems_WhenItsPlanIdHoldsSeveralNumbers()
    {
        var test = new TestCase("A.B.C", new Uri("executor://x"), "a.dll");
        test.Traits.Add("planid", "2,1");
        test.Traits.Add("PlanId", "3");

        var discovered = SuiteDiscovery.PlanItemsOf(test);
        var ingested = DiscoveredTestUpdater.PlanItemsOf(new Dictionary<string, IReadOnlyList<string>> { ["planid"] = ["2,1"], ["PlanId"] = ["3"] });

        Assert.Equal([1, 2, 3], discovered);
        Assert.Equal("1,2,3", ingested);
        Assert.Equal(discovered, PlanIds.ParseStored(ingested));
    }
}
