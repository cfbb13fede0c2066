using Apex.Coverage.Web.Plan;

namespace Apex.Coverage.Web.Components.Plan;

public sealed partial class PlanCatalogPage
{
    private string? Category { get; set; }

    private void ShowCategory(string slug) => Category = slug;

    private static double ShareValue(decimal part, decimal total) => total == 0m ? 0 : (double)(part / total * 100m);

    private static int ImplementedIn(PlanDocument plan, string slug) =>
        plan.Items.Count(i => i.CategorySlug == slug && i.DeclaredStatus == DeclaredStatus.Implemented);
}
