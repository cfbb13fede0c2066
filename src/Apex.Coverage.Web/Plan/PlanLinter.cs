namespace Apex.Coverage.Web.Plan;

/// <summary>
/// The plan's own inconsistencies, each at the line where a reader would fix it. None of them
/// stops an import: the catalog shows what the plan says, and these say where it disagrees with
/// itself.
/// </summary>
public static class PlanLinter
{
    public static IEnumerable<PlanFinding> Lint(PlanDocument plan) =>
        CategoryFigures(plan)
            .Concat(Numbering(plan.Items))
            .Concat(ItemRanges(plan))
            .Concat(PhaseFigures(plan))
            .Concat(StatusTable(plan))
            .Concat(Totals(plan));

    private static IEnumerable<PlanFinding> CategoryFigures(PlanDocument plan)
    {
        foreach (var category in plan.Categories)
        {
            var items = plan.Items.Where(i => i.CategorySlug == category.Slug).ToList();
            var line = category.SectionLine ?? category.Line;
            var bvj = items.Sum(i => i.BvjMrr ?? 0m);
            if (items.Count > 0 && bvj != category.Mrr)
            {
                yield return PlanFinding.Warning("category-mrr-vs-bvj", line,
                    $"{category.Name} states {MoneyFigure.Format(category.Mrr)} MRR, but the BVJ figures of its "
                    + $"{items.Count} items add up to {MoneyFigure.Format(bvj)}.");
            }

            if (category.SectionMrr is { } sectionMrr && sectionMrr != category.Mrr)
            {
                yield return PlanFinding.Warning("section-mrr-vs-overview", line,
                    $"The section heading of {category.Name} states {MoneyFigure.Format(sectionMrr)} MRR; "
                    + $"the overview table states {MoneyFigure.Format(category.Mrr)}.");
            }

            if (category.SectionLine is not null && items.Count != category.Count)
            {
                yield return PlanFinding.Warning("count-vs-items", category.Line,
                    $"The overview counts {category.Count} items in {category.Name}; the plan has {items.Count}.");
            }
        }
    }

    private static IEnumerable<PlanFinding> Numbering(IReadOnlyList<PlanItem> items)
    {
        var seen = new HashSet<int>();
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            if (!seen.Add(item.Number))
            {
                yield return PlanFinding.Warning("duplicate-item-number", item.Line,
                    $"Item number {item.Number} is used twice ('{item.Name}').");
            }

            if (i > 0 && item.Number < items[i - 1].Number)
            {
                yield return PlanFinding.Warning("item-out-of-order", item.Line,
                    $"Item {item.Number} follows item {items[i - 1].Number}: the numbering goes backwards.");
            }
        }

        foreach (var finding in MissingNumbers(items, seen))
        {
            yield return finding;
        }
    }

    private static IEnumerable<PlanFinding> MissingNumbers(IReadOnlyList<PlanItem> items, HashSet<int> present)
    {
        var max = items.Count == 0 ? 0 : items.Max(i => i.Number);
        var number = 1;
        while (number <= max)
        {
            if (present.Contains(number))
            {
                number++;
                continue;
            }

            var first = number;
            while (!present.Contains(number))
            {
                number++;
            }

            var next = items.First(i => i.Number == number);
            var gap = first == number - 1 ? $"Item {first} is" : $"Items {first}-{number - 1} are";
            yield return PlanFinding.Warning("missing-item-number", next.Line,
                $"{gap} missing: the numbering reaches {max} but skips {(first == number - 1 ? "it" : "them")}.");
        }
    }

    private static IEnumerable<PlanFinding> ItemRanges(PlanDocument plan) =>
        from item in plan.Items
        let category = plan.Categories.FirstOrDefault(c => c.Slug == item.CategorySlug)
        where category is { FirstItem: { } first, LastItem: { } last }
            && (item.Number < category.FirstItem || item.Number > category.LastItem)
        select PlanFinding.Warning("item-outside-range", item.Line,
            $"Item {item.Number} '{item.Name}' stands in {category.Name}, whose range is "
            + $"{category.FirstItem}-{category.LastItem}.");

    private static IEnumerable<PlanFinding> PhaseFigures(PlanDocument plan)
    {
        foreach (var phase in plan.Phases.Where(p => p.StatedMrr is not null))
        {
            var computed = Math.Round(PlanShares.MrrOf(plan, n => phase.Ranges.Any(r => r.Contains(n))));
            if (Math.Abs(computed - phase.StatedMrr!.Value) >= 1m)
            {
                yield return PlanFinding.Warning("phase-mrr-vs-computed", phase.Line,
                    $"{phase.Name} states {MoneyFigure.Format(phase.StatedMrr.Value)} MRR protected; its items "
                    + $"carry {MoneyFigure.Format(computed)} of their categories' MRR (by BVJ share).");
            }

            foreach (var range in phase.Ranges.Where(r => !plan.Items.Any(i => r.Contains(i.Number))))
            {
                yield return PlanFinding.Warning("phase-range-empty", phase.Line,
                    $"{phase.Name} names items {range.First}-{range.Last}, and the plan has none of them.");
            }
        }
    }

    private static IEnumerable<PlanFinding> StatusTable(PlanDocument plan)
    {
        foreach (var item in plan.Items)
        {
            // The narrowest row decides: "3-100 Planned" yields to a row of its own for item 31.
            var entry = plan.StatusEntries
                .Where(e => item.Number >= e.FirstItem && item.Number <= e.LastItem)
                .MinBy(e => e.LastItem - e.FirstItem);
            if (entry is not null && entry.Status != item.DeclaredStatus)
            {
                yield return PlanFinding.Warning("status-table-vs-item", entry.Line,
                    $"The Implementation Status table calls item {item.Number} {entry.Status}; "
                    + $"its heading and status line make it {item.DeclaredStatus}.");
            }
        }
    }

    private static IEnumerable<PlanFinding> Totals(PlanDocument plan)
    {
        var line = plan.Header.FirstOrDefault(m => m.Label.Contains("MRR", StringComparison.OrdinalIgnoreCase))?.Line ?? 0;
        if (plan.StatedTotalMrr is { } stated && plan.Categories.Count > 0 && stated != plan.TotalMrr)
        {
            yield return PlanFinding.Warning("total-mrr-vs-categories", line,
                $"The plan states {MoneyFigure.Format(stated)} total MRR; its categories add up to {MoneyFigure.Format(plan.TotalMrr)}.");
        }
    }
}
