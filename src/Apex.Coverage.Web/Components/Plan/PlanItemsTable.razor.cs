using System.Globalization;
using Apex.Coverage.Web.Analytics;
using Apex.Coverage.Web.Plan;
using Microsoft.AspNetCore.Components;

namespace Apex.Coverage.Web.Components.Plan;

/// <summary>
/// The plan's items with their live status. The status is the coverage report's (the hub renders
/// this table again after each change a run records); the filters are this table's own, except the
/// category, which the categories table above sets too.
/// </summary>
public sealed partial class PlanItemsTable
{
    [Parameter, EditorRequired] public PlanDocument Plan { get; set; } = null!;

    [Parameter] public string? Category { get; set; }

    [Parameter] public EventCallback<string?> CategoryChanged { get; set; }

    private string? Search { get; set; }

    private string? Priority { get; set; }

    private ItemStatus? Live { get; set; }

    private DeclaredStatus? Declared { get; set; }

    /// <summary>The item's status now, or null while the report is being computed.</summary>
    private ItemStatus? StatusOf(int number) => Report?.Item(number)?.Status;

    private IEnumerable<PlanItem> FilteredItems()
    {
        var priorities = Plan.Categories.ToDictionary(c => c.Slug, c => c.Priority);
        return Plan.Items.Where(item =>
            (Category is null || item.CategorySlug == Category)
            && (Priority is null || priorities.GetValueOrDefault(item.CategorySlug) == Priority)
            && (Declared is null || item.DeclaredStatus == Declared)
            && (Live is null || StatusOf(item.Number) == Live)
            && Matches(item, Search));
    }

    private static bool Matches(PlanItem item, string? search)
    {
        if (string.IsNullOrWhiteSpace(search))
        {
            return true;
        }

        var term = search.Trim();
        return item.Number.ToString(CultureInfo.InvariantCulture) == term
            || item.Name.Contains(term, StringComparison.OrdinalIgnoreCase)
            || item.Bvj.Contains(term, StringComparison.OrdinalIgnoreCase)
            || item.Components.Any(c => c.Contains(term, StringComparison.OrdinalIgnoreCase))
            || item.Scenarios.Any(s => s.Contains(term, StringComparison.OrdinalIgnoreCase));
    }

    private string CategoryName(string slug) => Plan.Categories.FirstOrDefault(c => c.Slug == slug)?.Name ?? slug;
}
