using System.Text;
using Apex.Coverage.Tests.Fixtures;
using Apex.Coverage.Web.Data;
using Apex.Coverage.Web.Plan;
using BenchmarkDotNet.Attributes;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace Apex.Coverage.Benchmarks;

/// <summary>
/// Parse, and import into SQLite, the real plan and a synthetic plan ten times its size. Each
/// import alternates between two contents that differ in every BVJ, so every call stores a new
/// version with its diff: the expensive path, not the "unchanged" shortcut.
/// </summary>
[MemoryDiagnoser]
public class PlanBenchmarks
{
    private byte[][] _contents = [];
    private string _folder = "";
    private PlanImporter _importer = null!;
    private int _next;

    [Params("real-100", "synthetic-1000")]
    public string Plan { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        _contents = Plan == "real-100"
            ? [File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "L2_TEST_PLAN.md")),
               Encoding.UTF8.GetBytes(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "L2_TEST_PLAN.md"))
                   .Replace("- **BVJ:** ", "- **BVJ:** Edited: ", StringComparison.Ordinal))]
            : [Encoding.UTF8.GetBytes(SyntheticPlan.Create(1000)), Encoding.UTF8.GetBytes(SyntheticPlan.Create(1000, " (edited)"))];
        _folder = Path.Combine(Path.GetTempPath(), $"apex-bench-{Guid.NewGuid():N}");
        Directory.CreateDirectory(_folder);
        var options = new DbContextOptionsBuilder<CoverageDbContext>()
            .UseSqlite($"Data Source={Path.Combine(_folder, "bench.db")}").Options;
        var factory = new PooledDbContextFactory<CoverageDbContext>(options);
        using (var db = factory.CreateDbContext())
        {
            db.Database.Migrate();
        }

        _importer = new PlanImporter(factory, new PlanCatalog(), TimeProvider.System, NullLogger<PlanImporter>.Instance);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Benchmark]
    public int Parse() => PlanParser.Parse(_contents[0]).Document.Items.Count;

    [Benchmark]
    public async Task<int?> Import()
    {
        var result = await _importer.ImportAsync(_contents[_next++ % 2], "bench", CancellationToken.None);
        return result.Version;
    }
}
