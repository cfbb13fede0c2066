using Apex.Coverage.Web.Plan;

namespace Apex.Coverage.Tests.Fixtures;

/// <summary>The plan files the tests read, copied beside the test assembly.</summary>
public static class PlanFixtures
{
    public const string RealPlan = "L2_TEST_PLAN.md";
    public const string MojibakePlan = "L2_TEST_PLAN.original.md";
    public const string SecondPlan = "second-plan.md";

    public static string PathOf(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    public static byte[] Bytes(string name) => File.ReadAllBytes(PathOf(name));

    public static string Text(string name) => File.ReadAllText(PathOf(name));

    public static PlanParseResult Parse(string name) => PlanParser.Parse(Bytes(name));
}
