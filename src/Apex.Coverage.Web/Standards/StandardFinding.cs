namespace Apex.Coverage.Web.Standards;

/// <summary>The standards a finding breaks; their names are the API's <c>rule</c> values.</summary>
public static class StandardRule
{
    public const string Bvj = "bvj";
    public const string FileLength = "file-length";
    public const string FunctionLength = "function-length";
    public const string Mocking = "mocking";
}

/// <summary>
/// One place where the suite's source breaks one of the plan's standards. <see cref="TestClass"/>
/// and <see cref="PlanItems"/> are empty for shared code (fixtures, fakes) that no item owns.
/// </summary>
public sealed record StandardFinding(
    string Rule, string File, int Line, string? TestClass, IReadOnlyList<int> PlanItems, string Message);

/// <summary>A test class the check read: the items it carries and where it is.</summary>
public sealed record CheckedTestClass(string Name, string File, int Line, IReadOnlyList<int> PlanItems);

/// <summary>The check of one suite against one plan's rules.</summary>
public sealed record StandardsReport(
    string Suite, StandardsRules Rules, int Files, IReadOnlyList<CheckedTestClass> TestClasses,
    IReadOnlyList<StandardFinding> Findings, DateTimeOffset CheckedAt, string? Problem = null)
{
    public IEnumerable<StandardFinding> ForItem(int number) => Findings.Where(f => f.PlanItems.Contains(number));

    public IEnumerable<CheckedTestClass> ClassesOf(int number) => TestClasses.Where(c => c.PlanItems.Contains(number));

    /// <summary>Findings of the given items (a category's), each once even when its class carries two of them.</summary>
    public IReadOnlyList<StandardFinding> ForItems(IReadOnlySet<int> numbers) =>
        [.. Findings.Where(f => f.PlanItems.Any(numbers.Contains))];

    public IEnumerable<StandardFinding> Shared => Findings.Where(f => f.PlanItems.Count == 0);
}
