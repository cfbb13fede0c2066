using System.Text.Json;
using Apex.Coverage.Web.Data;
using Apex.Coverage.Web.Results;
using Apex.Coverage.Web.Suites;
using Microsoft.EntityFrameworkCore;

namespace Apex.Coverage.Web.Ingestion;

/// <summary>
/// Makes the tests of an uploaded file known to their suite (one DiscoveredTest per fully
/// qualified name), so the tests list and plan mapping see CI-only tests too. Traits overwrite
/// the stored ones only when the file carried traits: a TRX from xunit carries none, and must not
/// wipe the PlanId traits that discovery found. Known tests are updated in set-based statements
/// (a 10,000-test file is a handful of UPDATEs, not 10,000) and new ones inserted in bulk,
/// inside the caller's transaction.
/// </summary>
internal sealed class DiscoveredTestUpdater(CoverageDbContext db, IngestionRequest request, DateTimeOffset now)
{
    private sealed record TraitValues(string TraitsJson, string PlanItems);

    public async Task ApplyAsync(ParsedResultFile file, CancellationToken cancellationToken)
    {
        var known = await db.DiscoveredTests.AsNoTracking()
            .Where(t => t.SuiteName == request.Suite)
            .Select(t => new { t.Id, t.FullyQualifiedName })
            .ToDictionaryAsync(t => t.FullyQualifiedName, t => t.Id, StringComparer.Ordinal, cancellationToken);
        var seen = new List<long>();
        var added = new List<DiscoveredTest>();
        var retrait = new Dictionary<TraitValues, List<long>>();
        foreach (var group in file.Results.GroupBy(r => r.FullyQualifiedName, StringComparer.Ordinal))
        {
            var traits = TraitValuesOf(file, group.Key);
            if (known.TryGetValue(group.Key, out var id))
            {
                seen.Add(id);
                if (traits is not null)
                {
                    (retrait.TryGetValue(traits, out var ids) ? ids : retrait[traits] = []).Add(id);
                }

                continue;
            }

            added.Add(NewTest(group.Key, group.First().DisplayName, traits));
        }

        await UpdateKnownAsync(seen, retrait, cancellationToken);
        await BulkInserter.InsertNewAsync(db, added, cancellationToken);
    }

    private async Task UpdateKnownAsync(List<long> seen, Dictionary<TraitValues, List<long>> retrait, CancellationToken cancellationToken)
    {
        if (seen.Count > 0)
        {
            // One JSON parameter (json_each), not EF's default of one SQL parameter per id.
            await db.DiscoveredTests.Where(t => EF.Parameter(seen).Contains(t.Id))
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.LastSeenAt, now), cancellationToken);
        }

        foreach (var (traits, ids) in retrait)
        {
            await db.DiscoveredTests.Where(t => EF.Parameter(ids).Contains(t.Id))
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.TraitsJson, traits.TraitsJson).SetProperty(t => t.PlanItems, traits.PlanItems), cancellationToken);
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

    /// <summary>PlanId trait values ("1", "2", or "1,2") as the sorted list "1,2" (<see cref="PlanIds"/>).</summary>
    internal static string PlanItemsOf(IReadOnlyDictionary<string, IReadOnlyList<string>> traits) => PlanIds.Store(PlanIds.Of(traits));
}
