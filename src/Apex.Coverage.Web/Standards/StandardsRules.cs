using System.Text.RegularExpressions;
using Apex.Coverage.Web.Plan;

namespace Apex.Coverage.Web.Standards;

/// <summary>
/// The rules the plan's "Testing Standards" section sets, read from its own words: the BVJ fields
/// the "Business Value Justification Format" lists, the "N-line files" and "N-line functions"
/// limits, and whether it forbids mocking internal components. A plan that says nothing sets no rule.
/// </summary>
public sealed partial record StandardsRules(
    IReadOnlyList<string> BvjFields, int? FileLineLimit, int? FunctionLineLimit, bool RealComponentsOnly)
{
    public static StandardsRules None { get; } = new([], null, null, false);

    public bool Any => BvjFields.Count > 0 || FileLineLimit is not null || FunctionLineLimit is not null || RealComponentsOnly;

    public static StandardsRules From(IReadOnlyList<TestingStandard> standards)
    {
        var fields = standards
            .Where(s => s.Section.Contains("Business Value Justification", StringComparison.OrdinalIgnoreCase))
            .Select(s => s.Title.Trim())
            .Where(t => t.Length > 0)
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .ToList();
        var texts = standards.Select(s => $"{s.Title}: {s.Text}").ToList();
        return new StandardsRules(
            fields,
            FirstLimit(texts, FileLimit()),
            FirstLimit(texts, FunctionLimit()),
            texts.Any(t => NoMocking().IsMatch(t)));
    }

    /// <summary>The key a BVJ field goes by in a trait or a named argument: "Business Goal" → "businessgoal".</summary>
    public static string Key(string field) => new([.. field.Where(char.IsLetterOrDigit).Select(char.ToLowerInvariant)]);

    private static int? FirstLimit(IEnumerable<string> texts, Regex pattern) =>
        texts.Select(t => pattern.Match(t)).Where(m => m.Success).Select(m => (int?)int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).FirstOrDefault();

    [GeneratedRegex(@"(\d{1,5})[\s-]*line\s+files?", RegexOptions.IgnoreCase)]
    private static partial Regex FileLimit();

    [GeneratedRegex(@"(\d{1,5})[\s-]*line\s+(?:functions?|methods?)", RegexOptions.IgnoreCase)]
    private static partial Regex FunctionLimit();

    [GeneratedRegex(@"\bno\s+mock|real\s+internal\s+components|mock\s+external\s+only", RegexOptions.IgnoreCase)]
    private static partial Regex NoMocking();
}
