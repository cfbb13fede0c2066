using System.Text.Json;
using Apex.Coverage.Web.Data;
using Apex.Coverage.Web.Results;
using Microsoft.EntityFrameworkCore;

namespace Apex.Coverage.Web.Ingestion;

/// <summary>
/// Makes the tests of an uploaded file known to their suite (one DiscoveredTest per fully
/// qualified name), so the tests list and plan mapping see CI-only tests too. The plan mapping has
/// one authority (ADR 0180): a test discovered from the suite's own build keeps discovery's traits
/// whatever an upload says; an upload that claims other plan items for it is recorded as a mapping
/// conflict, not applied. Tests only uploads know are mapped by the upload's traits (when it carried
/// any: a TRX from xunit carries none, and must not wipe a mapping). Only the rows of the file's own
/// names are read, so an upload costs what its file holds, not what the suite knows; known tests
/// are updated in set-based statements and new ones inserted in bulk, inside the caller's transaction.
/// </summary>
internal sealed class DiscoveredTestUpdater(CoverageDbContext db, IngestionRequest request, long runId, DateTimeOffset now)
{
    private sealed record TraitValues(string TraitsJson, string PlanItems);

    private sealed record KnownRow(long Id, string FullyQualifiedName, bool MappedByDiscovery, string PlanItems, string? ClaimedPlanItems);

    // The key under which the ids of tests whose upload agrees with discovery again are gathered.
    private const string Agrees = "\0agrees";

    // One JSON (SQLite) or array (PostgreSQL) parameter per look-up; chunks keep each statement modest.
    private const int LookupChunk = 5_000;

    public async Task ApplyAsync(ParsedResultFile file, CancellationToken cancellationToken)
    {
        var groups = file.Results.GroupBy(r => r.FullyQualifiedName, StringComparer.Ordinal).ToList();
        var known = await KnownAsync([.. groups.Select(g => g.Key)], cancellationToken);
        var seen = new List<long>();
        var added = new List<DiscoveredTest>();
        var retrait = new Dictionary<TraitValues, List<long>>();
        var claims = new Dictionary<string, List<long>>(StringComparer.Ordinal);
        foreach (var group in groups)
        {
            var traits = TraitValuesOf(file, group.Key);
            if (!known.TryGetValue(group.Key, out var row))
            {
                added.Add(NewTest(group.Key, group.First().DisplayName, traits));
                continue;
            }

            seen.Add(row.Id);
            if (traits is null)
            {
                continue;
            }

            if (row.MappedByDiscovery)
            {
                AddTo(claims, traits.PlanItems == row.PlanItems ? null : traits.PlanItems, row);
            }
            else
            {
                (retrait.TryGetValue(traits, out var ids) ? ids : retrait[traits] = []).Add(row.Id);
            }
        }

        await UpdateKnownAsync(seen, retrait, claims, cancellationToken);
        await BulkInserter.InsertNewAsync(db, added, cancellationToken);
    }

    // A claim that agrees with discovery again is not a conflict any more; one that differs is kept.
    private static void AddTo(Dictionary<string, List<long>> claims, string? claim, KnownRow row)
    {
        if (claim is null && row.ClaimedPlanItems is null)
        {
            return;
        }

        var key = claim ?? Agrees;
        (claims.TryGetValue(key, out var ids) ? ids : claims[key] = []).Add(row.Id);
    }

    private async Task<Dictionary<string, KnownRow>> KnownAsync(List<string> names, CancellationToken cancellationToken)
    {
        var known = new Dictionary<string, KnownRow>(StringComparer.Ordinal);
        foreach (var chunk in names.Chunk(LookupChunk))
        {
            var rows = await db.DiscoveredTests.AsNoTracking()
                .Where(t => t.SuiteName == request.Suite && EF.Parameter(chunk).Contains(t.FullyQualifiedName))
                .Select(t => new KnownRow(t.Id, t.FullyQualifiedName, t.MappedByDiscovery, t.PlanItems, t.ClaimedPlanItems))
                .ToListAsync(cancellationToken);
            foreach (var row in rows)
            {
                known[row.FullyQualifiedName] = row;
            }
        }

        return known;
    }

    private async Task UpdateKnownAsync(
        List<long> seen, Dictionary<TraitValues, List<long>> retrait, Dictionary<string, List<long>> claims, CancellationToken cancellationToken)
    {
        foreach (var chunk in seen.Chunk(LookupChunk))
        {
            // One JSON parameter (json_each), not EF's default of one SQL parameter per id.
            await db.DiscoveredTests.Where(t => EF.Parameter(chunk).Contains(t.Id))
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.LastSeenAt, now), cancellationToken);
        }

        foreach (var (traits, ids) in retrait)
        {
            await db.DiscoveredTests.Where(t => EF.Parameter(ids).Contains(t.Id) && !t.MappedByDiscovery)
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.TraitsJson, traits.TraitsJson).SetProperty(t => t.PlanItems, traits.PlanItems), cancellationToken);
        }

        foreach (var (claim, ids) in claims)
        {
            var agrees = claim == Agrees;
            string? value = agrees ? null : claim;
            long? run = agrees ? null : runId;
            DateTimeOffset? at = agrees ? null : now;
            await db.DiscoveredTests.Where(t => EF.Parameter(ids).Contains(t.Id))
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.ClaimedPlanItems, value).SetProperty(t => t.ClaimedByRunId, run)
                    .SetProperty(t => t.ClaimedAt, at), cancellationToken);
        }
    }

    private DiscoveredTest NewTest(string fullyQualifiedName, string displayName, TraitValues? traits) => new()
    {
        SuiteName = request.Suite,
        FullyQualifiedName = fullyQualifiedName,
        DisplayName = ResultText.WithoutArguments(displayName),
        Source = request.FileName ?? "CI upload",
        FirstSeenAt = now,
        LastSeenAt = now,
        TraitsJson = traits?.TraitsJson ?? "{}",
        PlanItems = traits?.PlanItems ?? string.Empty,
    };

    private static TraitValues? TraitValuesOf(ParsedResultFile file, string fullyQualifiedName) =>
        file.Traits.TryGetValue(fullyQualifiedName, out var traits) && traits.Count > 0
            ? new TraitValues(JsonSerializer.Serialize(traits), PlanItemsOf(traits))
            : null;

    /// <summary>
    /// PlanId trait values ("1", "2", or "1,2") as the sorted list "1,2" (<see cref="PlanIds"/>), cut
    /// to what the column holds: an upload naming hundreds of items keeps the first ones.
    /// </summary>
    internal static string PlanItemsOf(IReadOnlyDictionary<string, IReadOnlyList<string>> traits)
    {
        var stored = PlanIds.Store(PlanIds.Of(traits));
        return stored.Length <= MaxPlanItemsLength ? stored : stored[..stored.LastIndexOf(',', MaxPlanItemsLength)];
    }

    private const int MaxPlanItemsLength = 200;
}
