using System.Globalization;

namespace Apex.Coverage.Web.Results;

/// <summary>
/// The one rule that maps a test to plan items, used by discovery, CI ingestion, analytics and
/// the tests API alike: every trait named <c>PlanId</c> in any case, each value split on
/// <c>,</c>, <c>;</c> or space, positive integers kept, duplicates dropped, ascending. So
/// <c>[Trait("PlanId", "1,2")]</c> maps to items 1 and 2 whether the test ran here or in CI.
/// </summary>
public static class PlanIds
{
    public const string TraitName = "PlanId";

    private static readonly char[] Separators = [',', ';', ' '];

    public static bool IsPlanTrait(string traitName) => string.Equals(traitName, TraitName, StringComparison.OrdinalIgnoreCase);

    /// <summary>The plan items named by the PlanId traits among <paramref name="traits"/> (name, value pairs).</summary>
    public static IReadOnlyList<int> Of(IEnumerable<KeyValuePair<string, string>> traits) =>
        Parse(traits.Where(t => IsPlanTrait(t.Key)).Select(t => t.Value));

    /// <summary>The plan items named by the PlanId traits of a trait map (name → values).</summary>
    public static IReadOnlyList<int> Of(IEnumerable<KeyValuePair<string, IReadOnlyList<string>>> traits) =>
        Parse(traits.Where(t => IsPlanTrait(t.Key)).SelectMany(t => t.Value));

    /// <summary>The numbers in the given values ("1", "2;3", "4 5"), ascending and distinct.</summary>
    public static IReadOnlyList<int> Parse(IEnumerable<string?> values) =>
        [.. values.OfType<string>()
            .SelectMany(v => v.Split(Separators, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Select(v => int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : 0)
            .Where(n => n > 0).Distinct().Order()];

    /// <summary>The stored form of a test's plan items ("1,2"), read back with <see cref="ParseStored"/>.</summary>
    public static string Store(IEnumerable<int> items) => string.Join(',', items.Distinct().Order());

    public static IReadOnlyList<int> ParseStored(string? stored) => Parse([stored]);
}
