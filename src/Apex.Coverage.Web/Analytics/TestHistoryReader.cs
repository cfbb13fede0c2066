using System.Data.Common;
using Apex.Coverage.Web.Data;
using Apex.Coverage.Web.Runs;
using Microsoft.EntityFrameworkCore;

namespace Apex.Coverage.Web.Analytics;

/// <summary>
/// Reads what the analytics need from the stored results without scanning them: test names by a
/// skip-scan of the (FullyQualifiedName, RunId) index, and each test's latest results by a seek
/// on the same index, newest first. Cost grows with tests × window, not with stored results.
/// </summary>
public static class TestHistoryReader
{
    // Each step seeks the next distinct name in the index: one seek per test, never a scan.
    private const string DistinctNamesSql = """
        WITH RECURSIVE names(Value) AS (
            SELECT MIN("FullyQualifiedName") FROM "TestResults"
            UNION ALL
            SELECT (SELECT MIN("FullyQualifiedName") FROM "TestResults" WHERE "FullyQualifiedName" > names.Value)
            FROM names WHERE names.Value IS NOT NULL)
        SELECT Value FROM names WHERE Value IS NOT NULL
        """;

    public static async Task<List<string>> ResultNamesAsync(CoverageDbContext db, CancellationToken cancellationToken) =>
        await db.Database.SqlQueryRaw<string>(DistinctNamesSql).ToListAsync(cancellationToken);

    /// <summary>Plan items per test name from discovery (a name found in several suites maps to all their items).</summary>
    public static async Task<Dictionary<string, (IReadOnlyList<int> Items, string TraitsJson)>> MappingsAsync(
        CoverageDbContext db, CancellationToken cancellationToken)
    {
        var rows = await db.DiscoveredTests.AsNoTracking().Where(t => !t.Missing)
            .Select(t => new { t.FullyQualifiedName, t.PlanItems, t.TraitsJson }).ToListAsync(cancellationToken);
        return rows.GroupBy(r => r.FullyQualifiedName, StringComparer.Ordinal).ToDictionary(
            g => g.Key,
            g => ((IReadOnlyList<int>)[.. g.SelectMany(r => ParseItems(r.PlanItems)).Distinct().Order()], g.First().TraitsJson),
            StringComparer.Ordinal);
    }

    /// <summary>The latest <paramref name="runs"/> runs' results of one test, newest first (all theory rows of each).</summary>
    public static async Task<List<RecordedOutcome>> LatestAsync(CoverageDbContext db, string name, int runs, CancellationToken cancellationToken)
    {
        var take = runs;
        while (true)
        {
            // Not an EF compiled query: those are bound to one model, and each host (or test) has its own.
            var rows = await db.TestResults.AsNoTracking()
                .Where(r => r.FullyQualifiedName == name)
                .OrderByDescending(r => r.RunId).ThenByDescending(r => r.Id)
                .Take(take)
                .Select(r => new RecordedOutcome(r.RunId, r.Outcome, r.Commit, r.DurationSeconds, r.ErrorMessage, r.RecordedAt))
                .ToListAsync(cancellationToken);
            // Theory rows make several results per run; read further until the window holds enough runs.
            if (rows.Count < take || TestVerdict.PerRun(rows).Count() >= runs || take >= runs * 64)
            {
                return rows;
            }

            take *= 4;
        }
    }

    /// <summary>
    /// The latest results of many tests in one round trip: one index seek per test, joined by
    /// UNION ALL (a query per test costs more in round trips than in the database). Tests whose
    /// theory rows fill the window before it holds <paramref name="runs"/> runs are read again alone.
    /// </summary>
    public static async Task<Dictionary<string, List<RecordedOutcome>>> LatestOfAllAsync(
        CoverageDbContext db, IReadOnlyList<string> names, int runs, CancellationToken cancellationToken)
    {
        var all = new Dictionary<string, List<RecordedOutcome>>(StringComparer.Ordinal);
        foreach (var name in names)
        {
            all[name] = [];
        }

        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            foreach (var chunk in names.Chunk(250))
            {
                await ReadChunkAsync(db.Database.GetDbConnection(), chunk, runs, all, cancellationToken);
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }

        foreach (var (name, rows) in all.Where(p => p.Value.Count == runs && TestVerdict.PerRun(p.Value).Count() < runs).ToList())
        {
            all[name] = await LatestAsync(db, name, runs, cancellationToken);
        }

        return all;
    }

    private static async Task ReadChunkAsync(
        DbConnection connection, string[] names, int take, Dictionary<string, List<RecordedOutcome>> all, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = string.Join("\nUNION ALL\n", names.Select((_, i) => $"""
            SELECT * FROM (SELECT "FullyQualifiedName", "RunId", "Id", "Outcome", "Commit", "DurationSeconds", "ErrorMessage", "RecordedAt"
                FROM "TestResults" WHERE "FullyQualifiedName" = @n{i} ORDER BY "RunId" DESC, "Id" DESC LIMIT @take) AS w{i}
            """));
        AddParameter(command, "@take", take);
        for (var i = 0; i < names.Length; i++)
        {
            AddParameter(command, $"@n{i}", names[i]);
        }

        var read = new List<(string Name, long Id, RecordedOutcome Row)>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                read.Add((reader.GetString(0), reader.GetInt64(2), new RecordedOutcome(
                    reader.GetInt64(1), Enum.Parse<TestOutcome>(reader.GetString(3)), reader.IsDBNull(4) ? null : reader.GetString(4),
                    reader.GetDouble(5), reader.IsDBNull(6) ? null : reader.GetString(6), new DateTimeOffset(reader.GetInt64(7), TimeSpan.Zero))));
            }
        }

        // UNION ALL keeps no order of its own: newest first again, per test.
        foreach (var row in read.OrderByDescending(r => r.Row.RunId).ThenByDescending(r => r.Id))
        {
            all[row.Name].Add(row.Row);
        }
    }

    private static void AddParameter(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        (parameter.ParameterName, parameter.Value) = (name, value);
        command.Parameters.Add(parameter);
    }

    public static async Task<HashSet<string>> QuarantinedAsync(CoverageDbContext db, CancellationToken cancellationToken) =>
        [.. await db.Quarantines.AsNoTracking().Where(q => q.ReleasedAt == null).Select(q => q.FullyQualifiedName).ToListAsync(cancellationToken)];

    /// <summary>Wall-clock seconds of the latest finished run of a whole suite, or null when none has finished.</summary>
    public static async Task<double?> LastSuiteSecondsAsync(CoverageDbContext db, CancellationToken cancellationToken)
    {
        var last = await db.TestRuns.AsNoTracking()
            .Where(r => r.SelectionJson == null && (r.Status == RunStatus.Passed || r.Status == RunStatus.Failed)
                && r.StartedAt != null && r.FinishedAt != null)
            .OrderByDescending(r => r.Id)
            .Select(r => new { r.StartedAt, r.FinishedAt })
            .FirstOrDefaultAsync(cancellationToken);
        return last is null ? null : (last.FinishedAt!.Value - last.StartedAt!.Value).TotalSeconds;
    }

    public static IReadOnlyList<int> ParseItems(string items) =>
        [.. items.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(i => int.TryParse(i, out var n) ? n : 0).Where(n => n > 0)];
}
