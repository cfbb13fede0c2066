using Apex.Coverage.Web.Plan;

namespace Apex.Coverage.Web.Components.Plan;

public sealed partial class PlanCatalogPage
{
    private string? Search { get; set; }

    private string? Category { get; set; }

    private string? Priority { get; set; }

    private DeclaredStatus? Status { get; set; }

    private void ShowCategory(string slug) => Category = slug;

    private IEnumerable<PlanItem> FilteredItems(PlanDocument plan)
    {
        var priorities = plan.Categories.ToDictionary(c => c.Slug, c => c.Priority);
        return plan.Items.Where(item =>
            (Category is null || item.CategorySlug == Category)
            && (Priority is null || priorities.GetValueOrDefault(item.CategorySlug) == Priority)
            && (Status is null || item.DeclaredStatus == Status)
            && Matches(item, Search));
    }

    private static bool Matches(PlanItem item, string? search)
    {
        if (string.IsNullOrWhiteSpace(search))
        {
            return true;
        }

        var term = search.Trim();
        return item.Number.ToString(System.Globalization.CultureInfo.InvariantCulture) == term
            || item.Name.Contains(term, StringComparison.OrdinalIgnoreCase)
            || item.Bvj.Contains(term, StringComparison.OrdinalIgnoreCase)
            || item.Components.Any(c => c.Contains(term, StringComparison.OrdinalIgnoreCase))
            || item.Scenarios.Any(s => s.Contains(term, StringComparison.OrdinalIgnoreCase));
    }

    private static double ShareValue(decimal part, decimal total) => total == 0m ? 0 : (double)(part / total * 100m);

    private static int ImplementedIn(PlanDocument plan, string slug) =>
        plan.Items.Count(i => i.CategorySlug == slug && i.DeclaredStatus == DeclaredStatus.Implemented);

    private static string CategoryName(PlanDocument plan, string slug) =>
        plan.Categories.FirstOrDefault(c => c.Slug == slug)?.Name ?? slug;
}
