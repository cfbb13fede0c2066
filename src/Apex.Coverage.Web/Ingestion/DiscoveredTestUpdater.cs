using System.Text.Json;
using Apex.Coverage.Web.Data;
using Apex.Coverage.Web.Suites;
using Microsoft.EntityFrameworkCore;

namespace Apex.Coverage.Web.Ingestion;

/// <summary>
/// Makes the tests of an uploaded file known to their suite (one DiscoveredTest per fully
/// qualified name), so the tests list and plan mapping see CI-only tests too. Traits overwrite
/// the stored ones only when the file carried traits: a TRX from xunit carries none, and must not
/// wipe the PlanId traits that discovery found.
/// </summary>
internal sealed class DiscoveredTestUpdater(CoverageDbContext db, IngestionRequest request, DateTimeOffset now)
{
    public async Task ApplyAsync(ParsedResultFile file, CancellationToken cancellationToken)
    {
        var known = await db.DiscoveredTests
            .Where(t => t.SuiteName == request.Suite)
            .ToDictionaryAsync(t => t.FullyQualifiedName, StringComparer.Ordinal, cancellationToken);
        foreach (var group in file.Results.GroupBy(r => r.FullyQualifiedName, StringComparer.Ordinal))
        {
            file.Traits.TryGetValue(group.Key, out var traits);
            if (known.TryGetValue(group.Key, out var test))
            {
                test.LastSeenAt = now;
                ApplyTraits(test, traits);
                db.Entry(test).State = EntityState.Modified;
                continue;
            }

            test = new DiscoveredTest
            {
                SuiteName = request.Suite,
                FullyQualifiedName = group.Key,
                DisplayName = ResultText.WithoutArguments(group.First().DisplayName),
                Source = request.FileName ?? "CI upload",
                FirstSeenAt = now,
                LastSeenAt = now,
            };
            ApplyTraits(test, traits);
            db.DiscoveredTests.Add(test);
        }
    }

    private static void ApplyTraits(DiscoveredTest test, IReadOnlyDictionary<string, IReadOnlyList<string>>? traits)
    {
        if (traits is null || traits.Count == 0)
        {
            return;
        }

        test.TraitsJson = JsonSerializer.Serialize(traits);
        test.PlanItems = PlanItemsOf(traits);
    }

    /// <summary>PlanId trait values ("1", "2", or "1,2") as the sorted list "1,2".</summary>
    internal static string PlanItemsOf(IReadOnlyDictionary<string, IReadOnlyList<string>> traits)
    {
        var numbers = traits
            .Where(t => t.Key.Equals("PlanId", StringComparison.OrdinalIgnoreCase))
            .SelectMany(t => t.Value)
            .SelectMany(v => v.Split([',', ';', ' '], StringSplitOptions.RemoveEmptyEntries))
            .Select(v => int.TryParse(v, out var n) && n > 0 ? n : (int?)null)
            .OfType<int>()
            .Distinct()
            .Order();
        return string.Join(',', numbers);
    }
}
