using Apex.Coverage.Web.Data;
using Apex.Coverage.Web.Results;
using Apex.Coverage.Web.Runs;
using Microsoft.EntityFrameworkCore;

namespace Apex.Coverage.Web.Selection;

/// <summary>
/// The coverage map: which source files each plan item's tests execute. The job starts one run
/// per plan item with code coverage collected (the runner's own coverlet collection, queued like
/// any run); the map is read back from each item's latest such run's file coverage (files with a
/// covered line), so it needs no table of its own and is as fresh as the last map job (ADR 0202).
/// </summary>
public sealed class CoverageMap(IDbContextFactory<CoverageDbContext> databases, RunRequests runs, SelectionService selections)
{
    /// <summary>Starts one coverage run per plan item (those given, or every item with a test in the suite); answers item → run id.</summary>
    public async Task<Dictionary<int, long>> StartAsync(string? suite, IReadOnlyList<int>? items, CancellationToken cancellationToken)
    {
        var candidates = await selections.CandidatesAsync(suite, null, cancellationToken);
        var name = candidates[0].Key.Suite;
        var wanted = items is { Count: > 0 } ? items : [.. candidates.SelectMany(c => c.PlanItems).Distinct().Order()];
        var started = new Dictionary<int, long>();
        foreach (var item in wanted)
        {
            started[item] = await runs.StartAsync(name, new RunSelection(PlanItems: [item]), RunSource.Api, true, "coverage-map", cancellationToken);
        }

        return started;
    }

    /// <summary>Each item's files from its latest finished single-item run that collected coverage.</summary>
    public async Task<List<ItemFiles>> ReadAsync(string? suite, CancellationToken cancellationToken)
    {
        var name = (await selections.CandidatesAsync(suite, null, cancellationToken))[0].Key.Suite;
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var mapped = await db.TestRuns.AsNoTracking()
            .Where(r => r.SuiteName == name && r.CollectCoverage && r.SelectionJson != null && (r.Status == RunStatus.Passed || r.Status == RunStatus.Failed))
            .OrderByDescending(r => r.Id).Select(r => new { r.Id, r.SelectionJson }).Take(5000).ToListAsync(cancellationToken);
        var latest = mapped
            .Select(r => (r.Id, Asked: StoredSelection.FromJson(r.SelectionJson)?.Asked))
            .Where(r => r.Asked is { PlanItems.Count: 1, Category: null, Priority: null, OnlyFailed: false, Budget: null })
            .GroupBy(r => r.Asked!.PlanItems![0]).Select(g => (Item: g.Key, RunId: g.First().Id)).ToList();
        var ids = latest.Select(l => l.RunId).ToList();
        var files = (await db.FileCodeCoverage.AsNoTracking().Where(f => ids.Contains(f.RunId) && f.LinesCovered > 0)
            .Select(f => new { f.RunId, f.Module, f.Path }).ToListAsync(cancellationToken)).ToLookup(f => f.RunId, f => $"{f.Module}/{f.Path}");
        return [.. latest.OrderBy(l => l.Item).Select(l => new ItemFiles(l.Item, l.RunId, [.. files[l.RunId].Distinct().Order(StringComparer.Ordinal)]))];
    }
}
