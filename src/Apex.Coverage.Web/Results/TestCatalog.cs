using System.Data.Common;
using Apex.Coverage.Web.Data;
using Microsoft.EntityFrameworkCore;

namespace Apex.Coverage.Web.Results;

/// <summary>A known test as discovery or an upload described it (traits and plan items by the one PlanId rule).</summary>
public sealed record KnownTest(TestKey Key, string DisplayName, IReadOnlyList<int> PlanItems, string TraitsJson);

/// <summary>
/// Which tests exist: those discovery or an upload made known (DiscoveredTests, not missing) and
/// those that only have results. The result keys come from a skip-scan of the (SuiteName,
/// FullyQualifiedName, RunId) index - one seek per test, never a scan of the results - and the
/// union is ordered and paged in the database, so memory holds one page whatever is stored.
/// The SQL is plain (recursive CTE) so SQLite and PostgreSQL run the same text. Each step asks
/// "next name in this suite, else first name of the next suite" as two seeks: written as one row
/// value comparison, SQLite used only the suite column of the index and scanned the suite's rows
/// at every step (45 s for 100 tests over 1,000,000 results, against 0.05 s now).
/// </summary>
public static class TestCatalog
{
    private const string KeysSqlFormat = """
        WITH RECURSIVE result_keys("Suite", "Name") AS (
            SELECT "Suite", "Name" FROM (
                SELECT "SuiteName" AS "Suite", "FullyQualifiedName" AS "Name" FROM "TestResults"
                ORDER BY "SuiteName", "FullyQualifiedName" LIMIT 1) AS first_key
            UNION ALL
            SELECT r."SuiteName", r."FullyQualifiedName" FROM result_keys k
            JOIN "TestResults" r ON r."Id" = COALESCE(
                (SELECT x."Id" FROM "TestResults" x
                 WHERE x."SuiteName" = k."Suite" AND x."FullyQualifiedName" > k."Name"
                 ORDER BY x."SuiteName", x."FullyQualifiedName" LIMIT 1),
                (SELECT x."Id" FROM "TestResults" x
                 WHERE x."SuiteName" > k."Suite"
                 ORDER BY x."SuiteName", x."FullyQualifiedName" LIMIT 1)))
        SELECT "Suite", "Name" FROM (
            SELECT "Suite", "Name" FROM result_keys
            UNION
            SELECT "SuiteName", "FullyQualifiedName" FROM "DiscoveredTests" WHERE "Missing" = @missing) AS known
        {0}
        ORDER BY "Suite", "Name"
        LIMIT @take OFFSET @skip
        """;

    /// <summary>The known tests' keys in (suite, name) order, optionally of one suite, one page at a time.</summary>
    public static async Task<List<TestKey>> KeysAsync(
        CoverageDbContext db, string? suite, int skip, int take, CancellationToken cancellationToken)
    {
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var command = connection.CreateCommand();
            // The suite filter is left out rather than passed as a typed-less null parameter.
            command.CommandText = string.Format(System.Globalization.CultureInfo.InvariantCulture, KeysSqlFormat,
                suite is null ? "" : "WHERE \"Suite\" = @suite");
            Add(command, "@missing", false);
            if (suite is not null)
            {
                Add(command, "@suite", suite);
            }

            Add(command, "@take", (long)take);
            Add(command, "@skip", (long)skip);
            var keys = new List<TestKey>();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                keys.Add(new TestKey(reader.GetString(0), reader.GetString(1)));
            }

            return keys;
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>Every known test's key (the coverage report judges them all).</summary>
    public static Task<List<TestKey>> AllKeysAsync(CoverageDbContext db, CancellationToken cancellationToken) =>
        KeysAsync(db, null, 0, int.MaxValue, cancellationToken);

    /// <summary>What discovery or uploads said of the given tests (those only known from results are absent).</summary>
    public static async Task<Dictionary<TestKey, KnownTest>> DescribeAsync(
        CoverageDbContext db, IReadOnlyCollection<TestKey>? keys, CancellationToken cancellationToken)
    {
        var wanted = keys?.ToHashSet();
        var query = db.DiscoveredTests.AsNoTracking().Where(t => !t.Missing);
        if (keys is not null)
        {
            var names = keys.Select(k => k.FullyQualifiedName).Distinct().ToList();
            query = query.Where(t => EF.Parameter(names).Contains(t.FullyQualifiedName));
        }

        var rows = await query.Select(t => new { t.SuiteName, t.FullyQualifiedName, t.DisplayName, t.PlanItems, t.TraitsJson })
            .ToListAsync(cancellationToken);
        return rows.Select(r => new KnownTest(new TestKey(r.SuiteName, r.FullyQualifiedName), r.DisplayName, PlanIds.ParseStored(r.PlanItems), r.TraitsJson))
            .Where(t => wanted is null || wanted.Contains(t.Key))
            .ToDictionary(t => t.Key);
    }

    private static void Add(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        (parameter.ParameterName, parameter.Value) = (name, value);
        command.Parameters.Add(parameter);
    }
}
