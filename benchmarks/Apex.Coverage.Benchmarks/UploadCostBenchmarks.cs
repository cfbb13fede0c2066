using Apex.Coverage.Web.Data;
using Apex.Coverage.Web.Ingestion;
using Apex.Coverage.Web.Results;
using Apex.Coverage.Web.Runs;
using BenchmarkDotNet.Attributes;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace Apex.Coverage.Benchmarks;

/// <summary>
/// The cost of one small upload (100 results, half of them tests the suite already knows) against
/// a suite that knows 1,000 or 200,000 tests: an upload must cost what its own file costs, not
/// what the suite has (issue 15 saw 0.02 s become 0.6–1.3 s after 4,500 long names were known).
/// From the repo root:
///   dotnet run -c Release --project benchmarks/Apex.Coverage.Benchmarks -- --filter '*UploadCostBenchmarks*' --job short --inProcess
/// </summary>
[MemoryDiagnoser]
public class UploadCostBenchmarks
{
    private const string Suite = "Bench";
    private string _folder = "";
    private ResultIngestor _ingestor = null!;
    private ParsedResultFile _file = null!;
    private int _next;

    [Params(1_000, 200_000)]
    public int KnownTests { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _folder = Path.Combine(Path.GetTempPath(), $"apex-bench-upload-{Guid.NewGuid():N}");
        Directory.CreateDirectory(_folder);
        var options = new DbContextOptionsBuilder<CoverageDbContext>()
            .UseSqlite($"Data Source={Path.Combine(_folder, "bench.db")}").Options;
        var factory = new PooledDbContextFactory<CoverageDbContext>(options);
        using (var db = factory.CreateDbContext())
        {
            db.Database.Migrate();
            SeedAsync(db, KnownTests).GetAwaiter().GetResult();
        }

        _ingestor = new ResultIngestor(factory, TimeProvider.System);
        using var text = new StringWriter();
        // Names 0..99 of the upload: the first 50 are known (seeded), the rest new.
        text.Write("""<testsuites><testsuite name="bench">""");
        for (var i = 0; i < 100; i++)
        {
            var name = i < 50 ? $"Test{i}" : $"New{i}";
            text.Write($"""<testcase classname="Bench.Known.Class{i % 10}" name="{name}" time="0.01"><properties><property name="PlanId" value="{i % 7 + 1}" /></properties></testcase>""");
        }

        text.Write("</testsuite></testsuites>");
        using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text.ToString()));
        _file = ResultFileParser.Parse(stream);
    }

    private static async Task SeedAsync(CoverageDbContext db, int count)
    {
        var now = DateTimeOffset.UtcNow;
        await using var transaction = await db.Database.BeginTransactionAsync();
        var rows = Enumerable.Range(0, count).Select(i => new DiscoveredTest
        {
            SuiteName = Suite,
            // Long names, as the issue's attack left them: reading them all is what cost.
            FullyQualifiedName = i < 50 ? $"Bench.Known.Class{i % 10}.Test{i}" : $"Bench.Seeded.Class{i / 50}.{new string('x', 200)}{i}",
            DisplayName = $"Test{i}",
            Source = "/bench/Bench.dll",
            FirstSeenAt = now,
            LastSeenAt = now,
            PlanItems = $"{i % 100 + 1}",
        }).ToList();
        await BulkInserter.InsertAsync(db, rows, CancellationToken.None);
        await transaction.CommitAsync();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _ingestor.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Benchmark]
    public async Task<long> Upload100Results()
    {
        var request = new IngestionRequest(Suite, RunSource.Ci, "abc", "main", null, "bench", $"bench-{_next++}", "100.xml");
        return (await _ingestor.IngestAsync(request, _file, CancellationToken.None)).Run.Id;
    }
}
