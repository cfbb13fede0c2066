using System.Text.Json;
using Apex.Coverage.Web.Analytics;
using Apex.Coverage.Web.Data;
using Apex.Coverage.Web.Plan;
using BenchmarkDotNet.Attributes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Apex.Coverage.Benchmarks;

/// <summary>
/// The coverage report over 1,000,000 stored results (10,000 runs × 100 tests, each test mapped to
/// one plan item; some always failing, some flaky), on SQLite and on PostgreSQL: what
/// GET /api/v1/coverage, the overview page and GET /api/v1/tests?take=100 read per request. The
/// seeded stores are kept and reused (SQLite under the temp folder; PostgreSQL in the database that
/// APEX_BENCH_POSTGRES names — run-coverage-1m.sh starts a throwaway server for it).
/// </summary>
[MemoryDiagnoser]
public class CoverageBenchmarks
{
    public const int Runs = 10_000;
    public const int Tests = 100;

    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);
    private CoverageService _coverage = null!;
    private CoverageTrend _trend = null!;
    private TestListReader _tests = null!;

    [Params(StoreProvider.Sqlite, StoreProvider.PostgreSql)]
    public StoreProvider Store { get; set; }

    public static string DatabasePath => Path.Combine(Path.GetTempPath(), "apex-bench-1m-v2", "coverage.db");

    [GlobalSetup]
    public void Setup() => SetupAsync().GetAwaiter().GetResult();

    private async Task SetupAsync()
    {
        var factory = await BenchStore.OpenAsync(Store, DatabasePath);
        await CoverageSeed.EnsureAsync(factory);
        var catalog = new PlanCatalog();
        var plan = await File.ReadAllBytesAsync(Path.Combine(AppContext.BaseDirectory, "L2_TEST_PLAN.md"));
        await new PlanImporter(factory, catalog, TimeProvider.System, NullLogger<PlanImporter>.Instance).ImportAsync(plan, "bench", CancellationToken.None);
        var analytics = Options.Create(new AnalyticsOptions());
        _coverage = new CoverageService(factory, catalog, analytics, TimeProvider.System);
        _trend = new CoverageTrend(factory, analytics, TimeProvider.System);
        _tests = new TestListReader(factory, analytics);
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

    /// <summary>What GET /api/v1/tests?take=100 reads: one page of tests with their verdicts.</summary>
    [Benchmark]
    public async Task<int> TestsPage100() => (await _tests.ReadAsync(null, 0, 100, CancellationToken.None)).Count;

    /// <summary>The report hub's freshness check, paid by every API read between changes.</summary>
    [Benchmark]
    public async Task<int> Watermark() => (await _coverage.WatermarkAsync()).Length;
}
