using System.Collections.Concurrent;
using System.Text.Json;
using Apex.Coverage.Web.Data;
using Apex.Coverage.Web.Results;
using Apex.Coverage.Web.Runs;
using Apex.Coverage.Web.TestingPlatform;
using Apex.Coverage.Web.VsTest;
using Microsoft.EntityFrameworkCore;
using Microsoft.VisualStudio.TestPlatform.ObjectModel;

namespace Apex.Coverage.Web.Suites;

/// <summary>
/// One discovered test case (a theory row is one), with the plan items its PlanId traits name, and
/// for a Microsoft.Testing.Platform app the node uid a run asks for it by.
/// </summary>
public sealed record DiscoveredCase(Guid Id, string FullyQualifiedName, string DisplayName, IReadOnlyList<int> PlanItems, string? NodeUid = null);

/// <summary>
/// Discovers a suite's tests through the session and stores them (name, display name, traits,
/// source, plan items); tests no longer found are marked missing. A suite's assembly that has not
/// changed since its last discovery in this process is not discovered again.
/// </summary>
public sealed class SuiteDiscovery(IDbContextFactory<CoverageDbContext> databases, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, (DateTime Written, IReadOnlyList<DiscoveredCase> Cases)> _known = new(StringComparer.OrdinalIgnoreCase);

    public Task<IReadOnlyList<DiscoveredCase>> DiscoverAsync(VsTestSession session, Suite suite, CancellationToken cancellationToken) =>
        DiscoverAsync(suite, token => session.DiscoverAsync(suite.Assembly, RunSettingsXml.For(null, suite.Environment), token), cancellationToken);

    /// <summary>Discovers through <paramref name="discover"/> (a VSTest session or a test app in server mode) unless known.</summary>
    public async Task<IReadOnlyList<DiscoveredCase>> DiscoverAsync(Suite suite, Func<CancellationToken, Task<DiscoveryOutcome>> discover,
        CancellationToken cancellationToken)
    {
        var written = File.GetLastWriteTimeUtc(suite.Assembly);
        if (_known.TryGetValue(suite.Name, out var known) && known.Written == written)
        {
            return known.Cases;
        }

        var outcome = await discover(cancellationToken);
        if (outcome.IsAborted || (outcome.Tests.Count == 0 && outcome.Errors.Count > 0))
        {
            throw new InvalidOperationException($"Discovery of {suite.Assembly} failed: {string.Join(" ", outcome.Errors)}");
        }

        var cases = outcome.Tests.Select(t => new DiscoveredCase(t.Id, t.FullyQualifiedName, t.DisplayName, PlanItemsOf(t),
            t.GetPropertyValue<string?>(TestNodeUpdate.UidProperty, null))).ToList();
        await StoreAsync(suite, outcome.Tests, cancellationToken);
        _known[suite.Name] = (written, cases);
        return cases;
    }

    /// <summary>The plan items of a discovered case, by the one PlanId rule (<see cref="PlanIds"/>).</summary>
    public static IReadOnlyList<int> PlanItemsOf(TestCase test) =>
        PlanIds.Of(test.Traits.Select(t => KeyValuePair.Create(t.Name, t.Value)));

    private async Task StoreAsync(Suite suite, IReadOnlyList<TestCase> tests, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var stored = await db.DiscoveredTests.Where(t => t.SuiteName == suite.Name).ToDictionaryAsync(t => t.FullyQualifiedName, StringComparer.Ordinal, cancellationToken);
        foreach (var group in tests.GroupBy(t => t.FullyQualifiedName, StringComparer.Ordinal))
        {
            if (!stored.Remove(group.Key, out var row))
            {
                row = new DiscoveredTest { SuiteName = suite.Name, FullyQualifiedName = group.Key, DisplayName = string.Empty, FirstSeenAt = now };
                db.DiscoveredTests.Add(row);
            }

            Describe(row, [.. group], suite.Assembly, now);
        }

        foreach (var gone in stored.Values)
        {
            gone.Missing = true;
        }

        await db.SaveChangesAsync(cancellationToken);
    }

    private static void Describe(DiscoveredTest row, IReadOnlyList<TestCase> rows, string source, DateTimeOffset now)
    {
        var first = rows[0];
        // Theory rows share one test name; the row's arguments are left out of the shared display name.
        row.DisplayName = rows.Count == 1 ? first.DisplayName : first.DisplayName.Split('(')[0];
        row.Source = source;
        row.TraitsJson = JsonSerializer.Serialize(rows.SelectMany(r => r.Traits).GroupBy(t => t.Name)
            .ToDictionary(g => g.Key, g => g.Select(t => t.Value).Distinct().Order().ToArray()));
        row.PlanItems = PlanIds.Store(rows.SelectMany(PlanItemsOf));
        row.LastSeenAt = now;
        row.Missing = false;
        // From now on the build decides this test's plan items; an upload's other claim stays a finding.
        row.MappedByDiscovery = true;
        if (row.ClaimedPlanItems == row.PlanItems)
        {
            (row.ClaimedPlanItems, row.ClaimedByRunId, row.ClaimedAt) = (null, null, null);
        }
    }
}
