using Apex.Coverage.Web.Data;
using Apex.Coverage.Web.Results;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Apex.Coverage.Web.Selection;

/// <summary>
/// The replay over what is stored: a suite's last finished runs with their results, each test's
/// MRR shares from the current report, then <see cref="SelectionReplay"/>. Answers the page and
/// the API alike.
/// </summary>
public sealed class ReplayService(
    SelectionService selections, IDbContextFactory<CoverageDbContext> databases, IOptions<SelectionOptions> options)
{
    public const int MaxRuns = 500;

    /// <exception cref="Runs.SelectionException">No plan, or the suite has no known test.</exception>
    public async Task<ReplayReport> ReplayAsync(string? suite, int runs, CancellationToken cancellationToken)
    {
        var candidates = await selections.CandidatesAsync(suite, null, cancellationToken);
        var name = candidates[0].Key.Suite;
        var items = candidates.ToDictionary(c => c.Key, c => c.Items);
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var stored = await db.TestRuns.AsNoTracking()
            .Where(r => r.SuiteName == name && r.FinishedAt != null && r.Total > 0)
            .OrderByDescending(r => r.Id).Take(Math.Clamp(runs, 2, MaxRuns))
            .Select(r => new { r.Id, At = r.StartedAt ?? r.CreatedAt }).ToListAsync(cancellationToken);
        var ids = stored.Select(r => r.Id).ToList();
        var results = (await db.TestResults.AsNoTracking().Where(r => ids.Contains(r.RunId))
                .Select(r => new { r.RunId, r.SuiteName, r.FullyQualifiedName, r.Outcome, r.DurationSeconds }).ToListAsync(cancellationToken))
            .ToLookup(r => r.RunId);
        var replayRuns = stored.Select(r => new ReplayRun(r.Id, r.At, [.. results[r.Id].Select(x =>
            new ReplayResult(new TestKey(x.SuiteName, x.FullyQualifiedName), x.Outcome, x.DurationSeconds))])).ToList();
        return SelectionReplay.Replay(replayRuns, items, SelectionReplay.DefaultBudgets, options.Value.Weights, options.Value.Window);
    }
}
