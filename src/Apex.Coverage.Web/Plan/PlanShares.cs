namespace Apex.Coverage.Web.Plan;

/// <summary>
/// The MRR a set of items carries, by the rule the whole dashboard shares for protected MRR: each
/// category's MRR × (BVJ $ of the chosen items ÷ BVJ $ of all its items).
/// </summary>
public static class PlanShares
{
    public static decimal MrrOf(PlanDocument plan, Func<int, bool> chosen)
    {
        var total = 0m;
        foreach (var category in plan.Categories)
        {
            var items = plan.Items.Where(i => i.CategorySlug == category.Slug).ToList();
            var all = items.Sum(i => i.BvjMrr ?? 0m);
            if (all > 0m)
            {
                total += category.Mrr * items.Where(i => chosen(i.Number)).Sum(i => i.BvjMrr ?? 0m) / all;
            }
        }

        return total;
    }
}
