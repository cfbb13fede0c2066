using Apex.Coverage.Web.Runs;
using Apex.Coverage.Web.VsTest;

namespace Apex.Coverage.Tests.Runs;

public sealed class RunSelectionTests
{
    [Fact]
    public void TestCaseFilter_IsNull_WhenSelectionIsUnrestricted() =>
        Assert.Null(new ResolvedSelection(null, null).TestCaseFilter);

    [Fact]
    public void TestCaseFilter_OrsPlanIdsInOrder_WhenPlanItemsAreGiven() =>
        Assert.Equal("PlanId=2|PlanId=10", new ResolvedSelection(new HashSet<int> { 10, 2 }, null).TestCaseFilter);

    [Fact]
    public void TestCaseFilter_AndsGroupsAndEscapesNames_WhenItemsAndNamesAreGiven() =>
        Assert.Equal(@"(PlanId=1)&(FullyQualifiedName=A.B\(x\)|FullyQualifiedName=A.C)",
            new ResolvedSelection(new HashSet<int> { 1 }, new HashSet<string> { "A.C", "A.B(x)" }).TestCaseFilter);

    [Fact]
    public void Includes_MatchesOnAnyPlanItemAndTheName_WhenBothRestrict()
    {
        var selection = new ResolvedSelection(new HashSet<int> { 1, 2 }, new HashSet<string> { "A.B" });

        Assert.True(selection.Includes("A.B", [2, 7]));
        Assert.False(selection.Includes("A.B", [7]));
        Assert.False(selection.Includes("A.C", [1]));
    }

    [Fact]
    public void StoredSelection_RoundTripsWhatWasAskedAndResolved_WhenStoredAsJson()
    {
        var asked = new RunSelection(Category: "billing", OnlyFailed: true);
        var stored = new ResolvedSelection(new HashSet<int> { 96 }, new HashSet<string> { "A.B" }).Store(asked);

        var read = StoredSelection.FromJson(stored.ToJson())!;

        Assert.Equal(("billing", true, "category billing, only failed"), (read.Asked.Category, read.Asked.OnlyFailed, read.Asked.Describe()));
        Assert.Equal("(PlanId=96)&(FullyQualifiedName=A.B)", read.Resolved.TestCaseFilter);
    }

    [Fact]
    public void RunSettings_CarryFilterBatchSizeAndEnvironment_WhenGiven()
    {
        var xml = RunSettingsXml.For("PlanId=1&Name~<x>", new Dictionary<string, string> { ["APEX_X"] = "1" });

        Assert.Equal("<RunSettings><RunConfiguration><BatchSize>1</BatchSize><CollectSourceInformation>false</CollectSourceInformation>"
            + "<TestCaseFilter>PlanId=1&amp;Name~&lt;x&gt;</TestCaseFilter>"
            + "<EnvironmentVariables><APEX_X>1</APEX_X></EnvironmentVariables></RunConfiguration></RunSettings>", xml);
    }
}
