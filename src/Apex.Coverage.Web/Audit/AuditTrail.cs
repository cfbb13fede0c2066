using Apex.Coverage.Web.Data;
using Microsoft.EntityFrameworkCore;

namespace Apex.Coverage.Web.Audit;

/// <summary>A page of the trail, newest first, and how many entries match in all.</summary>
public sealed record AuditPage(int Total, IReadOnlyList<AuditEntry> Entries);

/// <summary>What to look for: an action, an actor (exact), entries at or after <see cref="Since"/>.</summary>
public sealed record AuditQuery(int Skip = 0, int Take = 50, string? Action = null, string? Actor = null, DateTimeOffset? Since = null)
{
    public const int MaxTake = 500;
}

/// <summary>Writes and reads the audit trail. Every entry point that acts (pages, API, CLI, sign-in) records here.</summary>
public sealed class AuditTrail(IDbContextFactory<CoverageDbContext> factory, TimeProvider time)
{
    public async Task RecordAsync(AuditActor actor, string action, string? subject, string? detail = null, CancellationToken cancellationToken = default)
    {
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        db.AuditEntries.Add(new AuditEntry
        {
            At = time.GetUtcNow(),
            Actor = Cap(actor.Name)!,
            ActorKind = actor.Kind,
            Action = action,
            Subject = Cap(subject),
            Detail = Cap(detail),
        });
        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task<AuditPage> QueryAsync(AuditQuery query, CancellationToken cancellationToken)
    {
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        var entries = db.AuditEntries.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(query.Action))
        {
            entries = entries.Where(e => e.Action == query.Action);
        }

        if (!string.IsNullOrWhiteSpace(query.Actor))
        {
            entries = entries.Where(e => e.Actor == query.Actor);
        }

        if (query.Since is { } since)
        {
            entries = entries.Where(e => e.At >= since);
        }

        var total = await entries.CountAsync(cancellationToken);
        var page = await entries.OrderByDescending(e => e.Id).Skip(query.Skip).Take(query.Take).ToListAsync(cancellationToken);
        return new AuditPage(total, page);
    }

    private static string? Cap(string? text) =>
        text is { Length: > AuditEntryConfiguration.MaxText } ? text[..(AuditEntryConfiguration.MaxText - 1)] + "…" : text;
}
