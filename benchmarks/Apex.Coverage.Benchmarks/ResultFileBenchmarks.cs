using System.Diagnostics;
using Apex.Coverage.Web.Data;
using Apex.Coverage.Web.Ingestion;
using Apex.Coverage.Web.Results;
using Apex.Coverage.Web.Runs;
using BenchmarkDotNet.Attributes;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace Apex.Coverage.Benchmarks;

/// <summary>
/// Streams a generated 10,000-result TRX (definitions after results, every tenth a failure with
/// message, stack and output) and a 100,000-result JUnit file (nested suites, theory-style rows),
/// and stores the TRX as one CI run in SQLite — the whole path of an upload after the body arrived.
/// The files are written to disk as they are generated, so that after each benchmark the peak
/// working set the process prints is the reader's (plus the runtime's: compare with Idle).
/// </summary>
[MemoryDiagnoser]
public class ResultFileBenchmarks
{
    private string _folder = "";
    private string _trx = "";
    private string _junit = "";
    private ResultIngestor _ingestor = null!;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        _folder = Path.Combine(Path.GetTempPath(), $"apex-bench-results-{Guid.NewGuid():N}");
        Directory.CreateDirectory(_folder);
        _trx = Path.Combine(_folder, "10k.trx");
        _junit = Path.Combine(_folder, "100k.xml");
        using (var trx = File.CreateText(_trx))
        {
            SyntheticResultFiles.WriteTrx(trx, 10_000);
        }

        using (var junit = File.CreateText(_junit))
        {
            SyntheticResultFiles.WriteJUnit(junit, 100_000);
        }
        var options = new DbContextOptionsBuilder<CoverageDbContext>()
            .UseSqlite($"Data Source={Path.Combine(_folder, "bench.db")}").Options;
        var factory = new PooledDbContextFactory<CoverageDbContext>(options);
        using (var db = factory.CreateDbContext())
        {
            db.Database.Migrate();
        }

        _ingestor = new ResultIngestor(factory, TimeProvider.System);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        Console.WriteLine($"// peak working set: {Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024):0} MB "
            + $"(TRX {new FileInfo(_trx).Length / (1024.0 * 1024):0.0} MB, JUnit {new FileInfo(_junit).Length / (1024.0 * 1024):0.0} MB)");
        _ingestor.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    /// <summary>Does nothing: its peak working set is the benchmark process's own, to subtract.</summary>
    [Benchmark]
    public int Idle() => _next;

    [Benchmark]
    public int ParseTrx10k()
    {
        using var stream = File.OpenRead(_trx);
        return ResultFileParser.Parse(stream).Results.Count;
    }

    [Benchmark]
    public int ParseJUnit100k()
    {
        using var stream = File.OpenRead(_junit);
        return ResultFileParser.Parse(stream).Results.Count;
    }

    [Benchmark]
    public async Task<long> ParseAndStoreTrx10k()
    {
        await using var stream = File.OpenRead(_trx);
        var file = ResultFileParser.Parse(stream);
        var request = new IngestionRequest("Bench", RunSource.Ci, "abc", "main", null, "bench", $"bench-{_next++}", "10k.trx");
        return (await _ingestor.IngestAsync(request, file, CancellationToken.None)).Run.Id;
    }
}

/// <summary>Result files of any size, shaped like the real ones under tests/.../Ingestion/Fixtures.</summary>
public static class SyntheticResultFiles
{
    private const string TrxNamespace = "http://microsoft.com/schemas/VisualStudio/TeamTest/2010";

    public static void WriteTrx(TextWriter text, int results)
    {
        text.Write($"""<?xml version="1.0" encoding="utf-8"?><TestRun id="r" name="bench" xmlns="{TrxNamespace}"><Results>""");
        for (var i = 0; i < results; i++)
        {
            var failed = i % 10 == 0;
            text.Write($"""<UnitTestResult executionId="e{i:D8}-0000-0000-0000-000000000000" testId="t{i:D8}" testName="Bench.Suite.Class{i / 50}.Test{i}" computerName="vm" duration="00:00:00.0{i % 1000:D3}0000" startTime="2026-11-24T12:32:19.8742777+00:00" endTime="2026-11-24T12:32:19.8749010+00:00" outcome="{(failed ? "Failed" : "Passed")}" testListId="l">""");
            text.Write(failed
                ? $"<Output><StdOut>arranging {i}\nacting\n</StdOut><ErrorInfo><Message>Assert.Equal() Failure: Values differ\nExpected: {i}\nActual:   {i + 1}</Message><StackTrace>   at Bench.Suite.Class{i / 50}.Test{i}() in /src/Class.cs:line {i % 400}</StackTrace></ErrorInfo></Output>"
                : string.Empty);
            text.Write("</UnitTestResult>");
        }

        text.Write("</Results><TestDefinitions>");
        for (var i = 0; i < results; i++)
        {
            text.Write($"""<UnitTest name="Test{i}" storage="/bench.dll" id="t{i:D8}"><Execution id="e{i:D8}" /><TestMethod codeBase="/bench.dll" adapterTypeName="executor://xunit/VsTestRunner3/netcore/" className="Bench.Suite.Class{i / 50}" name="Test{i}" /></UnitTest>""");
        }

        text.Write("</TestDefinitions></TestRun>");
    }

    public static void WriteJUnit(TextWriter text, int results)
    {
        text.Write("""<?xml version="1.0" encoding="UTF-8"?><testsuites name="bench">""");
        for (var i = 0; i < results; i++)
        {
            if (i % 1000 == 0)
            {
                text.Write(i == 0 ? string.Empty : "</testsuite></testsuite>");
                text.Write($"""<testsuite name="module{i / 1000}" tests="0"><testsuite name="module{i / 1000}.inner">""");
            }

            text.Write($"""<testcase classname="bench.module{i / 1000}.Class{i / 50}" name="test_{i % 50}[{i}]" time="0,{i % 1000:D3}">""");
            text.Write((i % 10) switch
            {
                0 => $"""<failure message="expected {i}" type="AssertionError">Traceback line {i}</failure><system-out>out {i}</system-out>""",
                1 => """<skipped message="not here" />""",
                _ => """<properties><property name="PlanId" value="7" /></properties>""",
            });
            text.Write("</testcase>");
        }

        text.Write("</testsuite></testsuite></testsuites>");
    }
}
