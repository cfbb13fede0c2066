using Apex.Coverage.Web.Data;
using Microsoft.EntityFrameworkCore;

namespace Apex.Coverage.Web.Plan;

public sealed record PlanVersionSummary(
    int Number, DateTimeOffset ImportedAt, string Source, int ItemCount, decimal TotalMrr,
    IReadOnlyList<PlanChangeEntry> Changes);

/// <summary>The stored versions, newest first, each with its changes against the one before.</summary>
public sealed class PlanHistory(IDbContextFactory<CoverageDbContext> dbFactory)
{
    public async Task<IReadOnlyList<PlanVersionSummary>> ListAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var versions = await db.PlanVersions.AsNoTracking()
            .OrderByDescending(v => v.Number)
            .Select(v => new
            {
                v.Number, v.ImportedAt, v.Source, v.ItemCount, v.TotalMrr,
                Changes = v.Changes.OrderBy(c => c.Id).ToList(),
            })
            .ToListAsync(cancellationToken);
        return [.. versions.Select(v => new PlanVersionSummary(v.Number, v.ImportedAt, v.Source, v.ItemCount, v.TotalMrr,
            [.. v.Changes.Select(c => new PlanChangeEntry(c.Kind, c.ItemNumber, c.CategorySlug, c.Subject, c.Before, c.After))]))];
    }
}
