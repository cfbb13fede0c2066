namespace Apex.Coverage.Web.Plan;

public enum PlanChangeKind
{
    ItemAdded,
    ItemRemoved,
    ItemRenamed,
    ItemMoved,
    BvjChanged,
    ComponentsChanged,
    ScenariosChanged,
    StatusChanged,
    CategoryAdded,
    CategoryRemoved,
    CategoryMrrChanged,
    CategoryCountChanged,
    CategoryPriorityChanged,
}

public sealed record PlanChangeEntry(
    PlanChangeKind Kind, int? ItemNumber, string? CategorySlug, string Subject, string? Before, string? After);

/// <summary>
/// What changed between two versions of a plan. Items are matched by number, the key that tests
/// carry in their PlanId trait; categories by slug.
/// </summary>
public static class PlanDiff
{
    public static IReadOnlyList<PlanChangeEntry> Compare(PlanDocument? before, PlanDocument after) =>
        before is null ? [] : [.. Categories(before, after), .. Items(before, after)];

    private static IEnumerable<PlanChangeEntry> Categories(PlanDocument before, PlanDocument after)
    {
        var old = before.Categories.ToDictionary(c => c.Slug);
        foreach (var category in after.Categories)
        {
            if (!old.Remove(category.Slug, out var was))
            {
                yield return new(PlanChangeKind.CategoryAdded, null, category.Slug, category.Name, null, MoneyFigure.Format(category.Mrr));
                continue;
            }

            if (was.Mrr != category.Mrr)
            {
                yield return new(PlanChangeKind.CategoryMrrChanged, null, category.Slug, category.Name,
                    MoneyFigure.Format(was.Mrr), MoneyFigure.Format(category.Mrr));
            }

            if (was.Count != category.Count)
            {
                yield return Change(PlanChangeKind.CategoryCountChanged, category, $"{was.Count}", $"{category.Count}");
            }

            if (was.Priority != category.Priority)
            {
                yield return Change(PlanChangeKind.CategoryPriorityChanged, category, was.Priority, category.Priority);
            }
        }

        foreach (var gone in old.Values)
        {
            yield return new(PlanChangeKind.CategoryRemoved, null, gone.Slug, gone.Name, MoneyFigure.Format(gone.Mrr), null);
        }
    }

    private static PlanChangeEntry Change(PlanChangeKind kind, PlanCategory category, string? before, string? after) =>
        new(kind, null, category.Slug, category.Name, before, after);

    private static IEnumerable<PlanChangeEntry> Items(PlanDocument before, PlanDocument after)
    {
        var old = before.Items.GroupBy(i => i.Number).ToDictionary(g => g.Key, g => g.First());
        foreach (var item in after.Items.DistinctBy(i => i.Number))
        {
            if (!old.Remove(item.Number, out var was))
            {
                yield return new(PlanChangeKind.ItemAdded, item.Number, item.CategorySlug, item.Name, null, item.Bvj);
                continue;
            }

            foreach (var change in ItemChanges(was, item))
            {
                yield return change;
            }
        }

        foreach (var gone in old.Values)
        {
            yield return new(PlanChangeKind.ItemRemoved, gone.Number, gone.CategorySlug, gone.Name, gone.Bvj, null);
        }
    }

    private static IEnumerable<PlanChangeEntry> ItemChanges(PlanItem was, PlanItem item)
    {
        PlanChangeEntry Entry(PlanChangeKind kind, string? before, string? after) =>
            new(kind, item.Number, item.CategorySlug, item.Name, before, after);

        if (was.Name != item.Name)
        {
            yield return Entry(PlanChangeKind.ItemRenamed, was.Name, item.Name);
        }

        if (was.CategorySlug != item.CategorySlug)
        {
            yield return Entry(PlanChangeKind.ItemMoved, was.CategorySlug, item.CategorySlug);
        }

        if (was.Bvj != item.Bvj || was.BvjMrr != item.BvjMrr)
        {
            yield return Entry(PlanChangeKind.BvjChanged, was.Bvj, item.Bvj);
        }

        if (!was.Components.SequenceEqual(item.Components))
        {
            yield return Entry(PlanChangeKind.ComponentsChanged, string.Join(", ", was.Components), string.Join(", ", item.Components));
        }

        if (!was.Scenarios.SequenceEqual(item.Scenarios))
        {
            yield return Entry(PlanChangeKind.ScenariosChanged, string.Join(", ", was.Scenarios), string.Join(", ", item.Scenarios));
        }

        if (was.DeclaredStatus != item.DeclaredStatus)
        {
            yield return Entry(PlanChangeKind.StatusChanged, $"{was.DeclaredStatus}", $"{item.DeclaredStatus}");
        }
    }
}
