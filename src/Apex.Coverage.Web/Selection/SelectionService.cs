using Apex.Coverage.Web.Analytics;
using Apex.Coverage.Web.Data;
using Apex.Coverage.Web.Results;
using Apex.Coverage.Web.Runs;
using Apex.Coverage.Web.Suites;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Apex.Coverage.Web.Selection;

/// <summary>
/// The one place a budgeted selection is made, for the API, the run request and the page: the
/// suite's tests from the coverage report (items, MRR shares, quarantine), their recent runs in
/// one batched read, then <see cref="BudgetSelector"/>.
/// </summary>
public sealed class SelectionService(
    CoverageReportHub coverage,
    IDbContextFactory<CoverageDbContext> databases,
    SuiteCatalog suites,
    IOptions<RunsOptions> runsOptions,
    IOptions<SelectionOptions> options,
    TimeProvider time) : IBudgetSelector
{
    /// <exception cref="SelectionException">No plan is imported, or the suite has no known test.</exception>
    public async Task<BudgetSelection> SelectAsync(string? suite, TimeSpan budget, IReadOnlySet<int>? changedItems, CancellationToken cancellationToken)
    {
        var candidates = await CandidatesAsync(suite, changedItems, cancellationToken);
        return BudgetSelector.Select(candidates, budget, time.GetUtcNow(), options.Value.Weights);
    }

    async Task<IReadOnlyList<string>> IBudgetSelector.SelectAsync(string suite, TimeSpan budget, CancellationToken cancellationToken)
    {
        var selection = await SelectAsync(suite, budget, null, cancellationToken);
        return selection.Selected.Count > 0
            ? [.. selection.Selected.Select(t => t.Key.FullyQualifiedName).Distinct(StringComparer.Ordinal)]
            : throw new SelectionException(
                $"No test of '{suite}' fits in a budget of {budget:c}; the shortest expects {ShortestSeconds(selection):0.###} s.");
    }

    public async Task<List<SelectionCandidate>> CandidatesAsync(string? suite, IReadOnlySet<int>? changedItems, CancellationToken cancellationToken)
    {
        var name = string.IsNullOrWhiteSpace(suite) ? DefaultSuite : suite;
        var report = await coverage.GetAsync(cancellationToken)
            ?? throw new SelectionException("No plan is imported yet, so no test carries any MRR to select by.");
        var tests = report.Tests.Where(t => t.Suite == name).ToList();
        if (tests.Count == 0)
        {
            throw new SelectionException($"Suite '{name}' has no known test yet: run it once (or upload its results) so its tests are known.");
        }

        var shares = report.Items.ToDictionary(i => i.Item.Number, i => i.Tests.Count == 0 ? 0m : i.Mrr / i.Tests.Count);
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var histories = await TestHistoryReader.LatestOfAllAsync(db, [.. tests.Select(t => t.Key)], options.Value.Window, cancellationToken);
        return [.. tests.Select(t => new SelectionCandidate(
            t.Key,
            [.. t.PlanItems.Distinct().Select(n => new ItemShare(n, shares.GetValueOrDefault(n)))],
            [.. TestVerdict.PerRun(histories[t.Key]).Take(options.Value.Window)],
            t.Quarantined,
            changedItems is not null && t.PlanItems.Any(changedItems.Contains)))];
    }

    // As RunRequests.DefaultSuite; not asked of RunRequests, which depends on this selector.
    private string DefaultSuite => runsOptions.Value.DefaultSuite is { Length: > 0 } name ? name : suites.Names.FirstOrDefault() ?? "";

    private static double ShortestSeconds(BudgetSelection selection) =>
        selection.Skipped.Count == 0 ? 0 : selection.Skipped.Min(t => t.Terms.ExpectedSeconds);
}
