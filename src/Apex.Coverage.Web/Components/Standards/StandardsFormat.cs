using Apex.Coverage.Web.Standards;

namespace Apex.Coverage.Web.Components.Standards;

public static class StandardsFormat
{
    public static string Summary(int classes, int findings) => (classes, findings) switch
    {
        (0, _) => "No test class carries these plan numbers",
        (1, 0) => "Its test class meets every standard",
        (_, 0) => $"All {classes} test classes meet every standard",
        _ => $"{Count(findings, "finding", "findings")} in {Count(classes, "test class", "test classes")}",
    };

    public static string Rules(StandardsRules rules)
    {
        var parts = new List<string>();
        if (rules.BvjFields.Count > 0)
        {
            parts.Add($"BVJ with {string.Join(", ", rules.BvjFields)}");
        }

        if (rules.FileLineLimit is { } file)
        {
            parts.Add($"files ≤ {file} lines");
        }

        if (rules.FunctionLineLimit is { } function)
        {
            parts.Add($"functions ≤ {function} lines of code");
        }

        if (rules.RealComponentsOnly)
        {
            parts.Add("no mocking library");
        }

        return string.Join(" · ", parts);
    }

    public static string RuleName(string rule) => rule switch
    {
        StandardRule.Bvj => "BVJ",
        StandardRule.FileLength => "file length",
        StandardRule.FunctionLength => "function length",
        StandardRule.Mocking => "mocking",
        _ => rule,
    };

    private static string Count(int n, string one, string many) => $"{n} {(n == 1 ? one : many)}";
}
