using Apex.Coverage.Web.Plan;

namespace Apex.Coverage.Web.Analytics;

/// <summary>
/// Turns the plan and every known test's verdict into the report: item statuses, per-category and
/// total counts, protected MRR (category MRR × BVJ $ of passing items ÷ BVJ $ of all its items) and
/// the declared-against-actual mismatches. Pure: the same inputs give the same report.
/// </summary>
public static class CoverageCalculator
{
    public static CoverageReport Calculate(
        PlanDocument plan, IReadOnlyList<TestCoverage> tests, double? lastSuiteSeconds, FlakinessRule rule, DateTimeOffset now)
    {
        var testsByItem = tests
            .SelectMany(t => t.PlanItems.Distinct().Select(n => (Number: n, Test: t)))
            .ToLookup(p => p.Number, p => p.Test);
        var shares = ItemShares(plan);
        var items = plan.Items
            .Select(i => new ItemCoverage(i, ItemRollup.Of(testsByItem[i.Number].Select(t => t.Verdict.Status)),
                [.. testsByItem[i.Number]], shares.GetValueOrDefault(i.Number)))
            .ToList();
        var itemMrr = items.ToDictionary(i => i.Item.Number, i => i.Mrr);
        var rated = tests.Select(t => t with { ItemsMrr = t.PlanItems.Distinct().Sum(n => itemMrr.GetValueOrDefault(n)) }).ToList();
        var categories = plan.Categories.Select(c => Category(c, items.Where(i => i.Item.CategorySlug == c.Slug).ToList())).ToList();
        var totals = Figures(items, plan.TotalMrr, rated, lastSuiteSeconds ?? SumOfLatest(rated));
        return new CoverageReport(totals, categories, items, rated, Mismatches(items), CoverageTargets.From(plan.Metrics), rule, now);
    }

    /// <summary>
    /// Each item's share of its category's MRR by BVJ $. A category whose items state no BVJ
    /// figure at all is split evenly, so its MRR is still counted (the plan lint reports it).
    /// </summary>
    public static Dictionary<int, decimal> ItemShares(PlanDocument plan)
    {
        var shares = new Dictionary<int, decimal>();
        foreach (var category in plan.Categories)
        {
            var items = plan.Items.Where(i => i.CategorySlug == category.Slug).ToList();
            var bvj = items.Sum(i => i.BvjMrr ?? 0m);
            foreach (var item in items)
            {
                shares[item.Number] = bvj > 0m
                    ? category.Mrr * (item.BvjMrr ?? 0m) / bvj
                    : category.Mrr / items.Count;
            }
        }

        return shares;
    }

    private static CategoryCoverage Category(PlanCategory category, IReadOnlyList<ItemCoverage> items)
    {
        var tests = items.SelectMany(i => i.Tests).DistinctBy(t => t.Key).ToList();
        return new CategoryCoverage(category, Figures(items, category.Mrr, tests, SumOfLatest(tests)), items);
    }

    private static CoverageFigures Figures(IReadOnlyList<ItemCoverage> items, decimal mrr, IReadOnlyList<TestCoverage> tests, double? seconds) => new(
        items.Count,
        items.Count(i => i.Status != ItemStatus.NotImplemented),
        items.Count(i => i.Status == ItemStatus.Passing),
        items.Count(i => i.Status == ItemStatus.Failing),
        items.Count(i => i.Status == ItemStatus.Flaky),
        items.Count(i => i.Status == ItemStatus.NotRun),
        items.Count(i => i.Status == ItemStatus.Quarantined),
        mrr,
        items.Sum(i => i.ProtectedMrr),
        FlakyRate(tests),
        seconds);

    /// <summary>Flaky tests ÷ tests with at least one passed or failed result; quarantine does not hide flakiness.</summary>
    public static double FlakyRate(IReadOnlyList<TestCoverage> tests)
    {
        var judged = tests.Count(t => t.Verdict.Results > 0 && t.Verdict.LatestOutcome is not null);
        return judged == 0 ? 0 : (double)tests.Count(t => t.Verdict.Flaky) / judged;
    }

    private static double? SumOfLatest(IReadOnlyList<TestCoverage> tests) =>
        tests.Any(t => t.Verdict.LatestDurationSeconds is not null)
            ? tests.Sum(t => t.Verdict.LatestDurationSeconds ?? 0)
            : null;

    private static List<DeclaredMismatch> Mismatches(IEnumerable<ItemCoverage> items) =>
        [.. items.Select(Mismatch).OfType<DeclaredMismatch>()];

    private static DeclaredMismatch? Mismatch(ItemCoverage item)
    {
        var (number, name, declared) = (item.Item.Number, item.Item.Name, item.Item.DeclaredStatus);
        string? message = (declared, item.Status) switch
        {
            (DeclaredStatus.Implemented, ItemStatus.NotImplemented) => "The plan marks it implemented but no test carries its number.",
            (DeclaredStatus.Implemented, ItemStatus.NotRun) => "The plan marks it implemented but its tests have not run.",
            (DeclaredStatus.Implemented, ItemStatus.Failing) => "The plan marks it implemented but its tests fail.",
            (DeclaredStatus.Implemented, ItemStatus.Flaky) => "The plan marks it implemented but its tests are flaky.",
            (DeclaredStatus.Implemented, ItemStatus.Quarantined) => "The plan marks it implemented but all its tests are quarantined.",
            (DeclaredStatus.Planned, not ItemStatus.NotImplemented) => "Tests carry its number but the plan still lists it as planned.",
            _ => null,
        };
        return message is null ? null : new DeclaredMismatch(number, name, declared, item.Status, message);
    }
}
