using System.Data.Common;
using Apex.Coverage.Web.Data;
using Apex.Coverage.Web.Results;
using Apex.Coverage.Web.Runs;
using Microsoft.EntityFrameworkCore;

namespace Apex.Coverage.Web.Analytics;

/// <summary>
/// Reads what the analytics need from the stored results without scanning them: each test's
/// (suite and name, see <see cref="TestKey"/>) latest results by a seek on the (SuiteName,
/// FullyQualifiedName, RunId) index, newest first. Cost grows with tests × window, not with
/// stored results. Which tests exist is <see cref="TestCatalog"/>'s question.
/// </summary>
public static class TestHistoryReader
{
    /// <summary>The latest <paramref name="runs"/> runs' results of one test, newest first (all theory rows of each).</summary>
    public static async Task<List<RecordedOutcome>> LatestAsync(CoverageDbContext db, TestKey test, int runs, CancellationToken cancellationToken)
    {
        var take = runs;
        while (true)
        {
            // Not an EF compiled query: those are bound to one model, and each host (or test) has its own.
            var rows = await db.TestResults.AsNoTracking()
                .Where(r => r.SuiteName == test.Suite && r.FullyQualifiedName == test.FullyQualifiedName)
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
    public static async Task<Dictionary<TestKey, List<RecordedOutcome>>> LatestOfAllAsync(
        CoverageDbContext db, IReadOnlyList<TestKey> tests, int runs, CancellationToken cancellationToken)
    {
        var all = tests.Distinct().ToDictionary(t => t, _ => new List<RecordedOutcome>());

        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            foreach (var chunk in all.Keys.Chunk(250))
            {
                await ReadChunkAsync(db.Database.GetDbConnection(), chunk, runs, all, cancellationToken);
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }

        foreach (var (test, rows) in all.Where(p => p.Value.Count == runs && TestVerdict.PerRun(p.Value).Count() < runs).ToList())
        {
            all[test] = await LatestAsync(db, test, runs, cancellationToken);
        }

        return all;
    }

    private static async Task ReadChunkAsync(
        DbConnection connection, TestKey[] tests, int take, Dictionary<TestKey, List<RecordedOutcome>> all, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = string.Join("\nUNION ALL\n", tests.Select((_, i) => $"""
            SELECT * FROM (SELECT "SuiteName", "FullyQualifiedName", "RunId", "Id", "Outcome", "Commit", "DurationSeconds", "ErrorMessage", "RecordedAt"
                FROM "TestResults" WHERE "SuiteName" = @s{i} AND "FullyQualifiedName" = @n{i} ORDER BY "RunId" DESC, "Id" DESC LIMIT @take) AS w{i}
            """));
        AddParameter(command, "@take", (long)take);
        for (var i = 0; i < tests.Length; i++)
        {
            AddParameter(command, $"@s{i}", tests[i].Suite);
            AddParameter(command, $"@n{i}", tests[i].FullyQualifiedName);
        }

        var read = new List<(TestKey Test, long Id, RecordedOutcome Row)>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                read.Add((new TestKey(reader.GetString(0), reader.GetString(1)), reader.GetInt64(3), new RecordedOutcome(
                    reader.GetInt64(2), Enum.Parse<TestOutcome>(reader.GetString(4)), reader.IsDBNull(5) ? null : reader.GetString(5),
                    reader.GetDouble(6), reader.IsDBNull(7) ? null : reader.GetString(7), UtcTicksConverter.FromTicks(reader.GetInt64(8)))));
            }
        }

        // UNION ALL keeps no order of its own: newest first again, per test.
        foreach (var row in read.OrderByDescending(r => r.Row.RunId).ThenByDescending(r => r.Id))
        {
            all[row.Test].Add(row.Row);
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

    /// <summary>Wall-clock seconds of the latest finished run of a whole suite (<see cref="WholeSuiteRuns"/>), or null when none has finished.</summary>
    public static async Task<double?> LastSuiteSecondsAsync(CoverageDbContext db, CancellationToken cancellationToken)
    {
        var last = await WholeSuiteRuns.Of(db).AsNoTracking()
            .OrderByDescending(r => r.Id)
            .Select(r => new { r.StartedAt, r.FinishedAt })
            .FirstOrDefaultAsync(cancellationToken);
        return last is null ? null : (last.FinishedAt!.Value - last.StartedAt!.Value).TotalSeconds;
    }
}
