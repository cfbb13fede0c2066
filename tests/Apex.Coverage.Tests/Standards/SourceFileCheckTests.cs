using Apex.Coverage.Tests.Fixtures;
using Apex.Coverage.Web.Standards;

namespace Apex.Coverage.Tests.Standards;

public sealed class SourceFileCheckTests
{
    private static readonly StandardsRules Rules = StandardsRules.From(PlanFixtures.Parse(PlanFixtures.RealPlan).Document.Standards);

    private static readonly string[] Mocking = ["Moq", "NSubstitute"];

    private static IReadOnlyList<StandardFinding> Check(string source) =>
        new SourceFileCheck(Rules, Mocking).Check(source, "tests/X/XTests.cs").Findings;

    private static string Lines(int count) => string.Concat(Enumerable.Range(0, count).Select(i => $"        var v{i} = {i};\n"));

    private const string Bvj = "[BusinessValue(\"Enterprise\", \"Retention\", \"$5K MRR\", \"Trust\")]";

    [Fact]
    public void From_ReadsTheRealPlansTestingStandards()
    {
        Assert.Equal(["Segment", "Business Goal", "Value Impact", "Strategic Impact"], Rules.BvjFields);
        Assert.Equal((450, 25, true), (Rules.FileLineLimit, Rules.FunctionLineLimit, Rules.RealComponentsOnly));
    }

    [Fact]
    public void From_SetsNoRule_WhenThePlanHasNoStandards()
    {
        Assert.False(StandardsRules.From([]).Any);
    }

    [Fact]
    public void Check_FindsNothing_WhenClassHasFullBvjAndShortFunctions()
    {
        var findings = Check($"[PlanItem(3)]\n{Bvj}\npublic sealed class ATests\n{{\n    [Fact]\n    public void A()\n    {{\n{Lines(22)}    }}\n}}\n");

        Assert.Empty(findings);
    }

    [Fact]
    public void Check_ReportsFunctionOfItsClass_WhenItIsOneLineOverTheLimit()
    {
        var findings = Check($"[PlanItem(3)]\n{Bvj}\npublic sealed class ATests\n{{\n    public sealed class Host {{ public void Start()\n    {{\n{Lines(23)}    }} }}\n}}\n");

        var finding = Assert.Single(findings);
        Assert.Equal((StandardRule.FunctionLength, "ATests", 5), (finding.Rule, finding.TestClass, finding.Line));
        Assert.Equal([3], finding.PlanItems);
        Assert.Contains("26 lines", finding.Message);
    }

    [Fact]
    public void Check_NamesMissingBvjFields_WhenTraitsCoverOnlySome()
    {
        var source = "[Trait(\"PlanId\", \"5,6\")]\n[Trait(\"Segment\", \"Free\")]\n[Trait(\"BusinessGoal\", \"Growth\")]\n[Trait(\"ValueImpact\", \"\")]\npublic class BTests { }\n";

        var finding = Assert.Single(Check(source));

        Assert.Equal((StandardRule.Bvj, "BTests"), (finding.Rule, finding.TestClass));
        Assert.Equal([5, 6], finding.PlanItems);
        Assert.Equal("Its Business Value Justification lacks Value Impact, Strategic Impact.", finding.Message);
    }

    [Fact]
    public void Check_AcceptsNamedBusinessValueArguments_InAnyOrder()
    {
        var source = "[PlanItem(1)]\n[BusinessValueAttribute(strategicImpact: \"s\", segment: \"a\", valueImpact: \"v\", businessGoal: \"g\")]\npublic class CTests { }\n";

        Assert.Empty(Check(source));
    }

    [Fact]
    public void Check_ReportsMockingLibrary_AsSharedCode_WhenNoTestClassOwnsIt()
    {
        var findings = Check("using NSubstitute.Extensions;\nnamespace X;\npublic static class Helpers { public static object M() => Moq.Mock.Of<object>(); }\n");

        Assert.Equal([(StandardRule.Mocking, 1), (StandardRule.Mocking, 3)], findings.Select(f => (f.Rule, f.Line)));
        Assert.All(findings, f => Assert.Empty(f.PlanItems));
    }

    [Fact]
    public void Check_ReportsFileLength_ForEveryItemInTheFile()
    {
        var padding = string.Concat(Enumerable.Repeat("// padding\n", 450));
        var findings = Check($"[PlanItem(7)]\n{Bvj}\npublic class DTests {{ }}\n[PlanItem(8)]\n{Bvj}\npublic class ETests {{ }}\n{padding}");

        var finding = Assert.Single(findings);
        Assert.Equal((StandardRule.FileLength, 1), (finding.Rule, finding.Line));
        Assert.Equal([7, 8], finding.PlanItems);
    }
}
