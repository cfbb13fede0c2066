namespace Apex.Coverage.Web.Plan;

/// <summary>
/// Joins the overview table's rows with the detailed sections by slug. A category the overview
/// names without a section is an error: its items are missing, which is what a truncated file
/// looks like, and a catalog without them would understate the plan.
/// </summary>
internal static class CategoryMerge
{
    public static List<PlanCategory> Merge(
        IReadOnlyList<OverviewRow> overview,
        IReadOnlyList<SectionHeading> sections,
        IReadOnlyList<PlanItem> items,
        ICollection<PlanFinding> findings)
    {
        var categories = new List<PlanCategory>();
        foreach (var row in overview)
        {
            var slug = CategorySlug.From(row.Name);
            var section = sections.FirstOrDefault(s => CategorySlug.From(s.Name) == slug);
            if (section is null)
            {
                findings.Add(PlanFinding.Error("category-without-section", row.Line,
                    $"The overview lists '{row.Name}' but no '### {row.Name} (Tests a-b) - $X MRR' section follows; "
                    + "the file may be truncated."));
            }

            categories.Add(new PlanCategory(row.Name, slug, row.Count, row.Mrr, row.Priority,
                section?.First, section?.Last, section?.Mrr, row.Line, section?.Line));
        }

        foreach (var section in sections.Where(s => categories.All(c => c.Slug != CategorySlug.From(s.Name))))
        {
            var slug = CategorySlug.From(section.Name);
            findings.Add(PlanFinding.Warning("category-not-in-overview", section.Line,
                $"The section '{section.Name}' has no row in the category overview table."));
            categories.Add(new PlanCategory(section.Name, slug, items.Count(i => i.CategorySlug == slug),
                section.Mrr ?? 0m, null, section.First, section.Last, section.Mrr, section.Line, section.Line));
        }

        return categories;
    }
}
