using System.Text;
using Apex.Coverage.Tests.Fixtures;
using Apex.Coverage.Web.Data;
using Apex.Coverage.Web.Ingestion;
using Apex.Coverage.Web.Results;
using Apex.Coverage.Web.Runs;
using Apex.Integration.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Apex.Coverage.Tests.Ingestion;

/// <summary>Uploads stored in one transaction with the bulk insert, on both stores.</summary>
[Collection(PostgresStore.Name)]
public sealed class ResultIngestorTests(PostgresServer postgres)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(StoreProvider.Sqlite)]
    [InlineData(StoreProvider.PostgreSql)]
    public async Task IngestAsync_StoresEveryRun_WhenTwoIngestorsWriteOneDatabaseAtOnce(StoreProvider provider)
    {
        // Two ingestors stand for two dashboard processes on one store: no in-process queue
        // between them, only the database's own locking (SQLite's busy timeout, PostgreSQL's rows).
        await using var database = await TestDatabase.CreateAsync(provider, postgres);
        using var first = new ResultIngestor(database, TimeProvider.System);
        using var second = new ResultIngestor(database, TimeProvider.System);

        await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(() =>
            (i % 2 == 0 ? first : second).IngestAsync(RequestFor(i), FileFor(i), Ct), Ct)));

        await using var db = database.CreateDbContext();
        Assert.Equal((20, 2000), (await db.TestRuns.CountAsync(Ct), await db.TestResults.CountAsync(Ct)));
    }

    [Theory]
    [InlineData(StoreProvider.Sqlite)]
    [InlineData(StoreProvider.PostgreSql)]
    public async Task IngestAsync_ReturnsFirstRun_WhenSameKeyArrivesFromTwoIngestors(StoreProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider, postgres);
        using var first = new ResultIngestor(database, TimeProvider.System);
        using var second = new ResultIngestor(database, TimeProvider.System);

        var outcomes = await Task.WhenAll(Task.Run(() => first.IngestAsync(RequestFor(1), FileFor(1), Ct), Ct),
            Task.Run(() => second.IngestAsync(RequestFor(1), FileFor(1), Ct), Ct));

        Assert.Single(outcomes, o => o.Created);
        Assert.Equal(outcomes[0].Run.Id, outcomes[1].Run.Id);
        await using var db = database.CreateDbContext();
        Assert.Equal(1, await db.TestRuns.CountAsync(Ct));
    }

    [Theory]
    [InlineData(StoreProvider.Sqlite)]
    [InlineData(StoreProvider.PostgreSql)]
    public async Task IngestAsync_MarksRunPassedWithTimes_WhenNoResultFailed(StoreProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider, postgres);
        using var ingestor = new ResultIngestor(database, TimeProvider.System);
        var file = ResultFileParser.Parse(File.OpenRead(IngestionFixtures.PathOf(IngestionFixtures.XunitTrx)));
        var passing = file with { Results = [.. file.Results.Where(r => r.Outcome != TestOutcome.Failed)] };

        var outcome = await ingestor.IngestAsync(RequestFor(5), passing, Ct);

        Assert.Equal((RunStatus.Passed, 5, 0), (outcome.Run.Status, outcome.Run.Total, outcome.Run.Failed));
        Assert.Equal(new DateTimeOffset(2026, 11, 24, 12, 32, 19, TimeSpan.Zero), outcome.Run.StartedAt!.Value.AddTicks(-(outcome.Run.StartedAt.Value.Ticks % TimeSpan.TicksPerSecond)));
        Assert.True(outcome.Run.FinishedAt >= outcome.Run.StartedAt);
    }

    private static IngestionRequest RequestFor(int i) =>
        new("L2", RunSource.Ci, $"c{i}", "main", null, "ci", $"key-{i}", null);

    private static ParsedResultFile FileFor(int i) =>
        ResultFileParser.Parse(new MemoryStream(Encoding.UTF8.GetBytes(IngestionFixtures.Trx(100, $"f{i}-"))));
}
