using Apex.Coverage.Web.Data;
using Apex.Coverage.Web.Plan;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Apex.Coverage.Web.CodeCoverage;

/// <summary>One point of the line-coverage trend.</summary>
public sealed record CoveragePoint(long RunId, DateTimeOffset At, double LineRate, double? BranchRate);

/// <summary>A category's modules and their coverage in the latest run that measured any.</summary>
public sealed record CategoryCodeCoverage(string Slug, long? RunId, IReadOnlyList<string> Modules, IReadOnlyList<ModuleCodeCoverage> Measured)
{
    public CodeCoverageCounts Counts => CodeCoverageCounts.Sum(Measured.Select(m => m.Counts));
}

/// <summary>Reads stored coverage for the API and the pages; each call uses its own short-lived context.</summary>
public sealed class CodeCoverageStore(IDbContextFactory<CoverageDbContext> databases, IOptions<CodeCoverageOptions> options)
{
    public string TargetAssembly => options.Value.TargetAssembly;

    public async Task<RunCodeCoverage?> ForRunAsync(long runId, CancellationToken cancellationToken = default)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        return await db.RunCodeCoverage.AsNoTracking().Include(c => c.Modules).FirstOrDefaultAsync(c => c.RunId == runId, cancellationToken);
    }

    /// <summary>The latest run that measured the target (a note alone does not count), with its modules.</summary>
    public async Task<RunCodeCoverage?> LatestAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        return await db.RunCodeCoverage.AsNoTracking().Include(c => c.Modules)
            .Where(c => c.LinesValid > 0).OrderByDescending(c => c.RunId).FirstOrDefaultAsync(cancellationToken);
    }

    /// <summary>The line rate of the last <paramref name="points"/> measured runs, oldest first.</summary>
    public async Task<IReadOnlyList<CoveragePoint>> TrendAsync(int points, CancellationToken cancellationToken = default)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var rows = await db.RunCodeCoverage.AsNoTracking().Where(c => c.LinesValid > 0).OrderByDescending(c => c.RunId).Take(points)
            .ToListAsync(cancellationToken);
        return [.. rows.OrderBy(r => r.RunId).Select(r => new CoveragePoint(r.RunId, r.RecordedAt, r.Counts.LineRate ?? 0, r.Counts.BranchRate))];
    }

    public async Task<IReadOnlyList<FileCodeCoverage>> FilesAsync(long runId, CancellationToken cancellationToken = default)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        return await db.FileCodeCoverage.AsNoTracking().Where(f => f.RunId == runId).OrderBy(f => f.Path).ToListAsync(cancellationToken);
    }

    public async Task<FileCodeCoverage?> FileAsync(long runId, string path, CancellationToken cancellationToken = default)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        return await db.FileCodeCoverage.AsNoTracking().FirstOrDefaultAsync(f => f.RunId == runId && f.Path == path, cancellationToken);
    }

    /// <summary>Each category's modules (configured, else by name) and their coverage in <paramref name="latest"/>.</summary>
    public IReadOnlyList<CategoryCodeCoverage> ByCategory(IEnumerable<PlanCategory> categories, RunCodeCoverage? latest)
    {
        var measured = latest?.Modules ?? [];
        return [.. categories.Select(c =>
        {
            var modules = options.Value.ModulesOf(c.Slug, measured.Select(m => m.Name));
            var found = measured.Where(m => modules.Contains(m.Name, StringComparer.OrdinalIgnoreCase)).OrderBy(m => m.Name, StringComparer.Ordinal).ToList();
            return new CategoryCodeCoverage(c.Slug, latest?.RunId, modules, found);
        })];
    }
}
