using Apex.Coverage.Web.Data;
using Apex.Coverage.Web.Results;
using Apex.Coverage.Web.Runs;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Apex.Coverage.Web.Analytics;

/// <summary>A finished run's pass rate (passed ÷ passed and failed).</summary>
public sealed record RunPassRate(long RunId, DateTimeOffset At, double PassRate, RunSource Source);

public sealed record TrendPoints(IReadOnlyList<RunPassRate> PassRates, IReadOnlyList<CoverageSnapshot> Snapshots);

/// <summary>
/// Pass rate over time comes from the runs' own counts. Protected MRR over time comes from
/// snapshots of the report, one for each newest result id it was computed at: replaying every
/// past state on each request would read the whole history.
/// </summary>
public sealed class CoverageTrend(IDbContextFactory<CoverageDbContext> databases, IOptions<AnalyticsOptions> options, TimeProvider time)
{
    /// <summary>Stores the report's totals unless a snapshot at the same newest result exists.</summary>
    public async Task RecordAsync(CoverageReport report, CancellationToken cancellationToken = default)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var newest = await db.TestResults.MaxAsync(r => (long?)r.Id, cancellationToken) ?? 0;
        var last = await db.CoverageSnapshots.OrderByDescending(s => s.AsOfResultId).Select(s => (long?)s.AsOfResultId).FirstOrDefaultAsync(cancellationToken);
        if (newest == 0 || last >= newest)
        {
            return;
        }

        var totals = report.Totals;
        var snapshot = new CoverageSnapshot
        {
            AsOfResultId = newest,
            TakenAt = time.GetUtcNow(),
            Implemented = totals.Implemented,
            Passing = totals.Passing,
            ProtectedMrr = totals.ProtectedMrr,
            Mrr = totals.Mrr,
            FlakyRate = totals.FlakyRate,
        };
        // "If absent": two recorders (runs ending at once, or two nodes) that computed the same
        // state both get here; the second insert is skipped by the unique AsOfResultId instead of
        // failing (which EF logs as an error even when the failure is caught).
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await Ingestion.BulkInserter.InsertNewAsync(db, [snapshot], cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<TrendPoints> ReadAsync(CancellationToken cancellationToken = default)
    {
        var points = options.Value.TrendPoints;
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var runs = await db.TestRuns.AsNoTracking()
            .Where(r => (r.Status == RunStatus.Passed || r.Status == RunStatus.Failed) && r.Passed + r.Failed > 0)
            .OrderByDescending(r => r.Id).Take(points)
            .Select(r => new { r.Id, At = r.FinishedAt ?? r.CreatedAt, r.Passed, r.Failed, r.Source })
            .ToListAsync(cancellationToken);
        var snapshots = await db.CoverageSnapshots.AsNoTracking().OrderByDescending(s => s.AsOfResultId).Take(points).ToListAsync(cancellationToken);
        return new TrendPoints(
            [.. runs.AsEnumerable().Reverse().Select(r => new RunPassRate(r.Id, r.At, (double)r.Passed / (r.Passed + r.Failed), r.Source))],
            [.. snapshots.AsEnumerable().Reverse()]);
    }
}
