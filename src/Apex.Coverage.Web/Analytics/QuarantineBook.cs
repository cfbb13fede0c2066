using Apex.Coverage.Web.Data;
using Microsoft.EntityFrameworkCore;

namespace Apex.Coverage.Web.Analytics;

/// <summary>The answer to a quarantine request: done, or why not in words a person can act on.</summary>
public sealed record QuarantineOutcome(bool Done, string? Problem, Quarantine? Quarantine = null)
{
    public static QuarantineOutcome Refused(string problem) => new(false, problem);
}

/// <summary>Quarantines and releases tests; every change is kept (released rows stay as history).</summary>
public sealed class QuarantineBook(IDbContextFactory<CoverageDbContext> databases, CoverageChanges changes, TimeProvider time)
{
    public async Task<QuarantineOutcome> QuarantineAsync(string name, string reason, string by, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(name) || string.IsNullOrWhiteSpace(reason) || string.IsNullOrWhiteSpace(by))
        {
            return QuarantineOutcome.Refused("A quarantine needs the test, a reason and who decided it.");
        }

        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        if (await db.Quarantines.AnyAsync(q => q.FullyQualifiedName == name && q.ReleasedAt == null, cancellationToken))
        {
            return QuarantineOutcome.Refused($"{name} is already quarantined.");
        }

        var quarantine = new Quarantine
        {
            FullyQualifiedName = name,
            Reason = reason.Trim(),
            QuarantinedBy = by.Trim(),
            QuarantinedAt = time.GetUtcNow(),
        };
        db.Quarantines.Add(quarantine);
        await db.SaveChangesAsync(cancellationToken);
        changes.Notify();
        return new QuarantineOutcome(true, null, quarantine);
    }

    public async Task<QuarantineOutcome> ReleaseAsync(string name, string by, CancellationToken cancellationToken = default)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var active = await db.Quarantines.FirstOrDefaultAsync(q => q.FullyQualifiedName == name && q.ReleasedAt == null, cancellationToken);
        if (active is null)
        {
            return QuarantineOutcome.Refused($"{name} is not quarantined.");
        }

        (active.ReleasedAt, active.ReleasedBy) = (time.GetUtcNow(), string.IsNullOrWhiteSpace(by) ? "unknown" : by.Trim());
        await db.SaveChangesAsync(cancellationToken);
        changes.Notify();
        return new QuarantineOutcome(true, null, active);
    }

    /// <summary>Active quarantines first, then released ones, newest first.</summary>
    public async Task<List<Quarantine>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var all = await db.Quarantines.AsNoTracking().ToListAsync(cancellationToken);
        return [.. all.OrderBy(q => q.ReleasedAt is not null).ThenByDescending(q => q.ReleasedAt ?? q.QuarantinedAt)];
    }
}
