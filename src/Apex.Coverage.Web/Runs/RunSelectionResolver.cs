using Apex.Coverage.Web.Data;
using Apex.Coverage.Web.Plan;
using Apex.Coverage.Web.Results;
using Microsoft.EntityFrameworkCore;

namespace Apex.Coverage.Web.Runs;

/// <summary>A selection that cannot run, with a message a person can act on.</summary>
public sealed class SelectionException(string message) : Exception(message);

/// <summary>
/// Turns category slugs and priorities into plan item numbers through the current plan catalog,
/// and "only failed" into the names of the tests that failed in the suite's last finished run.
/// Several criteria narrow each other.
/// </summary>
/// A budget picks the tests by MRR at risk per second (<see cref="IBudgetSelector"/>) and stands alone.
public sealed class RunSelectionResolver(PlanCatalog catalog, IDbContextFactory<CoverageDbContext> databases, IBudgetSelector? budgets = null)
{
    public async Task<ResolvedSelection> ResolveAsync(string suite, RunSelection selection, CancellationToken cancellationToken)
    {
        if (selection.Budget is { } budget)
        {
            return await ResolveBudgetAsync(suite, selection, budget, cancellationToken);
        }

        var items = PlanItemsOf(selection);
        var names = selection.OnlyFailed ? await LastFailedAsync(suite, cancellationToken) : null;
        return new ResolvedSelection(items, names);
    }

    /// <summary>A selection names at most this many plan items (a plan has a few hundred at most).</summary>
    public const int MaxPlanItems = 1000;

    private async Task<ResolvedSelection> ResolveBudgetAsync(string suite, RunSelection selection, TimeSpan budget, CancellationToken cancellationToken)
    {
        if (selection with { Budget = null } is not { IsWholeSuite: true })
        {
            throw new SelectionException("A budget chooses the tests itself; ask for it without plan items, a category, a priority or only-failed.");
        }

        // Hosts composed without Selection/ (bUnit tests of other pages) have no selector.
        var names = budgets is null
            ? throw new SelectionException("Budgeted selection is not part of this host.")
            : await budgets.SelectAsync(suite, budget, cancellationToken);
        return new ResolvedSelection(null, names.ToHashSet(StringComparer.Ordinal));
    }

    private HashSet<int>? PlanItemsOf(RunSelection selection)
    {
        HashSet<int>? items = selection.PlanItems is { Count: > 0 } asked ? [.. asked] : null;
        if (items is not null)
        {
            CheckKnown(items);
        }

        if (selection.Category is null && selection.Priority is null)
        {
            return items;
        }

        var plan = catalog.Current?.Document
            ?? throw new SelectionException("No plan is imported yet, so categories and priorities cannot be resolved.");
        if (selection.Category is { } slug)
        {
            items = Narrow(items, ItemsOfCategories(plan, [slug], $"No plan category has the slug '{slug}'. Known: {string.Join(", ", plan.Categories.Select(c => c.Slug))}."));
        }

        if (selection.Priority is { } priority)
        {
            var slugs = plan.Categories.Where(c => string.Equals(c.Priority, priority, StringComparison.OrdinalIgnoreCase)).Select(c => c.Slug).ToList();
            items = Narrow(items, ItemsOfCategories(plan, slugs, $"No plan category has the priority '{priority}'. Known: {string.Join(", ", plan.Categories.Select(c => c.Priority).Distinct())}."));
        }

        return items is { Count: > 0 } ? items : throw new SelectionException("The plan items, category and priority asked for have no plan item in common.");
    }

    // Unknown numbers are refused by name rather than queued as a run that selects nothing.
    private void CheckKnown(HashSet<int> items)
    {
        if (items.Count > MaxPlanItems)
        {
            throw new SelectionException($"The selection names {items.Count} plan items; at most {MaxPlanItems} can be asked for at once.");
        }

        if (catalog.Current?.Document is not { } plan)
        {
            return;
        }

        var unknown = items.Where(n => !plan.Items.Any(i => i.Number == n)).Order().ToList();
        if (unknown.Count > 0)
        {
            var shown = string.Join(", ", unknown.Take(20)) + (unknown.Count > 20 ? $" and {unknown.Count - 20} more" : "");
            throw new SelectionException($"Plan item{(unknown.Count > 1 ? "s" : "")} {shown} {(unknown.Count > 1 ? "are" : "is")} not in the plan "
                + (plan.Items.Count > 0 ? $"(it has items {plan.Items.Min(i => i.Number)} to {plan.Items.Max(i => i.Number)}). " : "(it has no items). ")
                + "GET /api/v1/plan lists them.");
        }
    }

    private static HashSet<int> ItemsOfCategories(PlanDocument plan, IReadOnlyCollection<string> slugs, string whenNone)
    {
        var numbers = plan.Items.Where(i => slugs.Contains(i.CategorySlug)).Select(i => i.Number).ToHashSet();
        return numbers.Count > 0 ? numbers : throw new SelectionException(whenNone);
    }

    private static HashSet<int> Narrow(HashSet<int>? items, HashSet<int> by) => items is null ? by : [.. items.Intersect(by)];

    private async Task<HashSet<string>> LastFailedAsync(string suite, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var finished = new[] { RunStatus.Passed, RunStatus.Failed, RunStatus.Aborted, RunStatus.Canceled, RunStatus.Interrupted };
        var last = await db.TestRuns.Where(r => r.SuiteName == suite && finished.Contains(r.Status) && r.Total > 0)
            .OrderByDescending(r => r.Id).Select(r => (long?)r.Id).FirstOrDefaultAsync(cancellationToken)
            ?? throw new SelectionException($"Suite '{suite}' has no finished run yet, so nothing failed last time.");
        var failed = await db.TestResults.Where(r => r.RunId == last && r.Outcome == TestOutcome.Failed)
            .Select(r => r.FullyQualifiedName).Distinct().ToListAsync(cancellationToken);
        return failed.Count > 0 ? [.. failed] : throw new SelectionException($"Nothing failed in the last run of '{suite}' (run {last}).");
    }
}
