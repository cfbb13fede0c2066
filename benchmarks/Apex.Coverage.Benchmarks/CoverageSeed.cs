using System.Diagnostics;
using Apex.Coverage.Web.Data;
using Apex.Coverage.Web.Ingestion;
using Apex.Coverage.Web.Results;
using Microsoft.EntityFrameworkCore;

namespace Apex.Coverage.Benchmarks;

/// <summary>
/// Writes the 1,000,000-result history once through the dashboard's own bulk insert (prepared
/// INSERTs on SQLite, binary COPY on PostgreSQL), 500 runs per transaction, and prints how long it took.
/// </summary>
public static class CoverageSeed
{
    private const int RunsPerTransaction = 500;

    public static async Task EnsureAsync(IDbContextFactory<CoverageDbContext> factory)
    {
        await using (var db = await factory.CreateDbContextAsync())
        {
            await db.Database.MigrateAsync();
            if (await db.TestResults.CountAsync() >= CoverageBenchmarks.Runs * CoverageBenchmarks.Tests)
            {
                return;
            }

            await db.TestResults.ExecuteDeleteAsync();
            await db.TestRuns.ExecuteDeleteAsync();
            await db.DiscoveredTests.ExecuteDeleteAsync();
        }

        var clock = Stopwatch.StartNew();
        await DiscoverAsync(factory);
        for (var first = 1; first <= CoverageBenchmarks.Runs; first += RunsPerTransaction)
        {
            await WriteRunsAsync(factory, first, Math.Min(CoverageBenchmarks.Runs, first + RunsPerTransaction - 1));
        }

        await using var check = await factory.CreateDbContextAsync();
        await Console.Out.WriteLineAsync(
            $"// Seeded {CoverageBenchmarks.Runs} runs × {CoverageBenchmarks.Tests} tests ({await check.TestResults.CountAsync()} results) " +
            $"on {CoverageStore.ProviderOf(check)} in {clock.Elapsed.TotalSeconds:0.0} s");
    }

    public static string Name(int test) => $"Apex.Integration.Bench.Item{test:000}Tests.Scenario";

    private static async Task DiscoverAsync(IDbContextFactory<CoverageDbContext> factory)
    {
        await using var db = await factory.CreateDbContextAsync();
        db.DiscoveredTests.AddRange(Enumerable.Range(1, CoverageBenchmarks.Tests).Select(test => new DiscoveredTest
        {
            SuiteName = "L2", FullyQualifiedName = Name(test), DisplayName = Name(test), TraitsJson = $$"""{"PlanId":["{{test}}"]}""",
            PlanItems = $"{test}", FirstSeenAt = DateTimeOffset.UnixEpoch, LastSeenAt = DateTimeOffset.UnixEpoch,
        }));
        await db.SaveChangesAsync();
    }

    private static async Task WriteRunsAsync(IDbContextFactory<CoverageDbContext> factory, int first, int last)
    {
        await using var db = await factory.CreateDbContextAsync();
        await using var transaction = await db.Database.BeginTransactionAsync();
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var runs = Enumerable.Range(first, last - first + 1).Select(index =>
        {
            var failed = Enumerable.Range(1, CoverageBenchmarks.Tests).Count(test => Outcome(test, index) == TestOutcome.Failed);
            var at = start.AddMinutes(index);
            return (Index: index, Run: new TestRun
            {
                SuiteName = "L2", Source = RunSource.Ci, Commit = $"c{index / 10:00000}", CreatedAt = at, StartedAt = at, FinishedAt = at.AddMinutes(5),
                Status = failed > 0 ? RunStatus.Failed : RunStatus.Passed, Total = CoverageBenchmarks.Tests,
                Passed = CoverageBenchmarks.Tests - failed, Failed = failed,
            });
        }).ToList();
        db.TestRuns.AddRange(runs.Select(r => r.Run));
        await db.SaveChangesAsync();
        var results = runs.SelectMany(r => Enumerable.Range(1, CoverageBenchmarks.Tests).Select(test => Result(r.Run, r.Index, test))).ToList();
        await BulkInserter.InsertAsync(db, results, CancellationToken.None);
        await transaction.CommitAsync();
    }

    private static TestResult Result(TestRun run, int index, int test)
    {
        var outcome = Outcome(test, index);
        return new TestResult
        {
            RunId = run.Id, SuiteName = "L2", ResultKey = $"{test}", FullyQualifiedName = Name(test), DisplayName = Name(test),
            Outcome = outcome, DurationSeconds = 0.5 + (test % 7), Commit = run.Commit, RecordedAt = run.CreatedAt,
            ErrorMessage = outcome == TestOutcome.Failed ? $"Expected {index % 13} but was {test}" : null,
        };
    }

    /// <summary>Tests 1-5 fail from run 9,000 on; tests 6-10 flip every third run; the rest pass.</summary>
    private static TestOutcome Outcome(int test, int run) => test switch
    {
        <= 5 when run >= 9_000 => TestOutcome.Failed,
        >= 6 and <= 10 when run % 3 == 0 => TestOutcome.Failed,
        _ => TestOutcome.Passed,
    };
}
