using System.Diagnostics;
using System.Text.Json;
using Apex.Coverage.Web.Analytics;
using Apex.Coverage.Web.Data;
using Apex.Coverage.Web.Plan;
using Apex.Coverage.Web.Results;
using BenchmarkDotNet.Attributes;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Apex.Coverage.Benchmarks;

/// <summary>
/// The coverage report over 1,000,000 stored results (10,000 runs × 100 tests, each test mapped to
/// one plan item; some always failing, some flaky): what GET /api/v1/coverage and the overview
/// page compute per request. The seeded database is kept under the temp folder and reused, so it
/// can also be served by the real app (Data:ConnectionString) and timed over HTTP.
/// </summary>
[MemoryDiagnoser]
public class CoverageBenchmarks
{
    public const int Runs = 10_000;
    public const int Tests = 100;

    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);
    private CoverageService _coverage = null!;
    private CoverageTrend _trend = null!;

    public static string DatabasePath => Path.Combine(Path.GetTempPath(), "apex-bench-1m", "coverage.db");

    [GlobalSetup]
    public void Setup()
    {
        var options = new DbContextOptionsBuilder<CoverageDbContext>().UseSqlite($"Data Source={DatabasePath}").Options;
        var factory = new PooledDbContextFactory<CoverageDbContext>(options);
        CoverageSeed.EnsureAsync(factory, DatabasePath).GetAwaiter().GetResult();
        var catalog = new PlanCatalog();
        var plan = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "L2_TEST_PLAN.md"));
        new PlanImporter(factory, catalog, TimeProvider.System, NullLogger<PlanImporter>.Instance)
            .ImportAsync(plan, "bench", CancellationToken.None).GetAwaiter().GetResult();
        var analytics = Options.Create(new AnalyticsOptions());
        _coverage = new CoverageService(factory, catalog, analytics, TimeProvider.System);
        _trend = new CoverageTrend(factory, analytics, TimeProvider.System);
    }

    [Benchmark]
    public async Task<int> Report() => (await _coverage.GetReportAsync())!.Items.Count;

    /// <summary>What GET /api/v1/coverage does: the report, shaped and serialised.</summary>
    [Benchmark]
    public async Task<int> CoverageApiBody()
    {
        var report = await _coverage.GetReportAsync();
        return JsonSerializer.SerializeToUtf8Bytes(CoverageApi.ToResponse(report!), Web).Length;
    }

    /// <summary>What the overview loads: the report, its trend point, and the trend.</summary>
    [Benchmark]
    public async Task<int> OverviewData()
    {
        var report = await _coverage.GetReportAsync();
        await _trend.RecordAsync(report!);
        return (await _trend.ReadAsync()).PassRates.Count;
    }
}

/// <summary>Writes the 1,000,000-result history once, in one transaction, through plain SQLite commands.</summary>
public static class CoverageSeed
{
    public static async Task EnsureAsync(IDbContextFactory<CoverageDbContext> factory, string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await using (var db = await factory.CreateDbContextAsync())
        {
            await db.Database.MigrateAsync();
            if (await db.TestResults.AnyAsync())
            {
                return;
            }
        }

        var clock = Stopwatch.StartNew();
        await using var connection = new SqliteConnection($"Data Source={path}");
        await connection.OpenAsync();
        await using (var pragma = connection.CreateCommand())
        {
            pragma.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF;";
            await pragma.ExecuteNonQueryAsync();
        }

        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync();
        await DiscoverAsync(connection, transaction);
        await WriteRunsAsync(connection, transaction);
        await transaction.CommitAsync();
        await Console.Out.WriteLineAsync($"// Seeded {Runs()} runs × {CoverageBenchmarks.Tests} tests in {clock.Elapsed.TotalSeconds:0.0} s at {path}");
    }

    private static int Runs() => CoverageBenchmarks.Runs;

    public static string Name(int test) => $"Apex.Integration.Bench.Item{test:000}Tests.Scenario";

    private static async Task DiscoverAsync(SqliteConnection connection, SqliteTransaction transaction)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            INSERT INTO DiscoveredTests (SuiteName, FullyQualifiedName, DisplayName, TraitsJson, PlanItems, FirstSeenAt, LastSeenAt, Missing)
            VALUES ('L2', $name, $name, $traits, $items, 0, 0, 0)
            """;
        var (name, traits, items) = (command.Parameters.Add("$name", SqliteType.Text), command.Parameters.Add("$traits", SqliteType.Text),
            command.Parameters.Add("$items", SqliteType.Text));
        for (var test = 1; test <= CoverageBenchmarks.Tests; test++)
        {
            (name.Value, traits.Value, items.Value) = (Name(test), $$"""{"PlanId":["{{test}}"]}""", $"{test}");
            await command.ExecuteNonQueryAsync();
        }
    }

    private static async Task WriteRunsAsync(SqliteConnection connection, SqliteTransaction transaction)
    {
        await using var run = connection.CreateCommand();
        run.Transaction = transaction;
        run.CommandText = """
            INSERT INTO TestRuns (Id, SuiteName, Status, Source, CollectCoverage, "Commit", CreatedAt, StartedAt, FinishedAt, Total, Passed, Failed, Skipped)
            VALUES ($id, 'L2', $status, 'Ci', 0, $commit, $at, $at, $at + 3000000000, 100, $passed, $failed, 0)
            """;
        await using var result = connection.CreateCommand();
        result.Transaction = transaction;
        result.CommandText = """
            INSERT INTO TestResults (RunId, ResultKey, FullyQualifiedName, DisplayName, Outcome, DurationSeconds, ErrorMessage, "Commit", RecordedAt)
            VALUES ($run, $key, $name, $name, $outcome, $duration, $error, $commit, $at)
            """;
        var r = new[] { "$id", "$status", "$commit", "$at", "$passed", "$failed" }.ToDictionary(n => n, n => run.Parameters.Add(n, SqliteType.Text));
        var t = new[] { "$run", "$key", "$name", "$outcome", "$duration", "$error", "$commit", "$at" }.ToDictionary(n => n, n => result.Parameters.Add(n, SqliteType.Text));
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).UtcTicks;
        for (var id = 1; id <= CoverageBenchmarks.Runs; id++)
        {
            var (commit, at) = ($"c{id / 10:00000}", start + (id * TimeSpan.TicksPerMinute));
            var outcomes = Enumerable.Range(1, CoverageBenchmarks.Tests).Select(test => Outcome(test, id)).ToList();
            var failed = outcomes.Count(o => o == "Failed");
            (r["$id"].Value, r["$status"].Value, r["$commit"].Value, r["$at"].Value) = (id, failed > 0 ? "Failed" : "Passed", commit, at);
            (r["$passed"].Value, r["$failed"].Value) = (CoverageBenchmarks.Tests - failed, failed);
            await run.ExecuteNonQueryAsync();
            for (var test = 1; test <= CoverageBenchmarks.Tests; test++)
            {
                var outcome = outcomes[test - 1];
                (t["$run"].Value, t["$key"].Value, t["$name"].Value, t["$outcome"].Value) = (id, $"{test}", Name(test), outcome);
                (t["$duration"].Value, t["$error"].Value) = (0.5 + (test % 7), outcome == "Failed" ? $"Expected {id % 13} but was {test}" : DBNull.Value);
                (t["$commit"].Value, t["$at"].Value) = (commit, at);
                await result.ExecuteNonQueryAsync();
            }
        }
    }

    /// <summary>Tests 1-5 fail from run 9,000 on; tests 6-10 flip every third run; the rest pass.</summary>
    private static string Outcome(int test, int run) => test switch
    {
        <= 5 when run >= 9_000 => "Failed",
        >= 6 and <= 10 when run % 3 == 0 => "Failed",
        _ => "Passed",
    };
}
