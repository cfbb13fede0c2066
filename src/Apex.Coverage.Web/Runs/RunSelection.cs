using System.Globalization;
using System.Text.Json;
using Microsoft.VisualStudio.TestPlatform.ObjectModel.Utilities;

namespace Apex.Coverage.Web.Runs;

/// <summary>What a person or a script asked to run; empty means the whole suite.</summary>
public sealed record RunSelection(
    IReadOnlyList<int>? PlanItems = null,
    string? Category = null,
    string? Priority = null,
    bool OnlyFailed = false,
    TimeSpan? Budget = null)
{
    public static RunSelection WholeSuite { get; } = new();

    public bool IsWholeSuite => PlanItems is not { Count: > 0 } && Category is null && Priority is null && !OnlyFailed && Budget is null;

    /// <summary>A short description for lists and pages: "plan items 1, 2", "category auth", ...</summary>
    public string Describe()
    {
        if (IsWholeSuite)
        {
            return "whole suite";
        }

        var parts = new List<string>();
        if (PlanItems is { Count: > 0 } items)
        {
            parts.Add($"plan item{(items.Count > 1 ? "s" : "")} {string.Join(", ", items)}");
        }

        if (Category is not null) parts.Add($"category {Category}");
        if (Priority is not null) parts.Add($"priority {Priority}");
        if (OnlyFailed) parts.Add("only failed");
        if (Budget is { } budget) parts.Add($"budget {budget:c}");
        return string.Join(", ", parts);
    }
}

/// <summary>What a run row keeps as its SelectionJson: what was asked, and what it resolved to then.</summary>
public sealed record StoredSelection(RunSelection Asked, IReadOnlyList<int>? PlanItems, IReadOnlyList<string>? Names)
{
    public string ToJson() => JsonSerializer.Serialize(this, JsonSerializerOptions.Web);

    public static StoredSelection? FromJson(string? json) =>
        json is null ? null : JsonSerializer.Deserialize<StoredSelection>(json, JsonSerializerOptions.Web);

    public ResolvedSelection Resolved => new(PlanItems?.ToHashSet(), Names?.ToHashSet(StringComparer.Ordinal));
}

/// <summary>
/// A selection resolved against the plan and the last run: the plan items and test names it
/// stands for (null = unrestricted), and the VSTest test case filter they become.
/// </summary>
public sealed record ResolvedSelection(IReadOnlySet<int>? PlanItems, IReadOnlySet<string>? FullyQualifiedNames)
{
    public string? TestCaseFilter => Combine(
        PlanItems?.Order().Select(n => $"PlanId={n.ToString(CultureInfo.InvariantCulture)}"),
        FullyQualifiedNames?.Order(StringComparer.Ordinal).Select(n => $"FullyQualifiedName={FilterHelper.Escape(n)}"));

    /// <summary>
    /// The filter a run hands VSTest once its tests are discovered. VSTest compares a trait with the
    /// whole value, so <c>PlanId=1</c> misses a test tagged <c>PlanId="1,2"</c>; the one PlanId rule
    /// (PlanIds) has already chosen <paramref name="expected"/> from the discovered tests, so a
    /// selection by plan item runs those tests by name. Without plan items, or with none expected,
    /// the stored filter stands.
    /// </summary>
    public string? FilterFor(string? storedFilter, IEnumerable<string> expected)
    {
        var names = expected.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        return PlanItems is null || names.Count == 0
            ? storedFilter
            : string.Join("|", names.Select(n => $"FullyQualifiedName={FilterHelper.Escape(n)}"));
    }

    public StoredSelection Store(RunSelection asked) =>
        new(asked, PlanItems?.Order().ToList(), FullyQualifiedNames?.Order(StringComparer.Ordinal).ToList());

    /// <summary>Whether a discovered test with these plan items and this name is part of the selection.</summary>
    public bool Includes(string fullyQualifiedName, IEnumerable<int> planItems) =>
        (PlanItems is null || planItems.Any(PlanItems.Contains))
        && (FullyQualifiedNames is null || FullyQualifiedNames.Contains(fullyQualifiedName));

    private static string? Combine(IEnumerable<string>? planClauses, IEnumerable<string>? nameClauses)
    {
        var groups = new[] { planClauses, nameClauses }
            .Where(g => g is not null)
            .Select(g => string.Join("|", g!))
            .ToList();
        return groups.Count switch
        {
            0 => null,
            1 => groups[0],
            _ => string.Join("&", groups.Select(g => $"({g})")),
        };
    }
}
