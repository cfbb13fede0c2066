using Apex.Coverage.Tests.Fixtures;
using Apex.Coverage.Web.Analytics;
using Apex.Coverage.Web.Data;
using Apex.Coverage.Web.Results;
using Apex.Integration.Infrastructure;
using static Apex.Coverage.Tests.Analytics.History;

namespace Apex.Coverage.Tests.Analytics;

/// <summary>The history and catalog reads (raw SQL: skip-scan, UNION ALL of index seeks) on both stores.</summary>
[Collection(PostgresStore.Name)]
public sealed class TestHistoryReaderTests(PostgresServer postgres)
{
    [Theory]
    [InlineData(StoreProvider.Sqlite)]
    [InlineData(StoreProvider.PostgreSql)]
    public async Task LatestAsync_ReadsWholeWindowOfRuns_WhenTheoryRowsMakeSeveralResultsPerRun(StoreProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider, postgres);
        for (var run = 0; run < 12; run++)
        {
            // Three theory rows of one test per run; the oldest two runs fail.
            var outcome = run < 2 ? F : P;
            await RunAsync(database, $"c{run}", ("A.Theory", outcome), ("A.Theory", P), ("A.Theory", P));
        }

        await using var db = database.CreateDbContext();
        var rows = await TestHistoryReader.LatestAsync(db, new TestKey("l2", "A.Theory"), 10, TestContext.Current.CancellationToken);
        var verdict = TestVerdict.Judge(rows, FlakinessRule.Default with { Window = 10 });

        Assert.True(TestVerdict.PerRun(rows).Count() >= 10);
        Assert.Equal((10, 0, TestStatus.Passing), (verdict.Results, verdict.Flips, verdict.Status));
    }

    [Theory]
    [InlineData(StoreProvider.Sqlite)]
    [InlineData(StoreProvider.PostgreSql)]
    public async Task KeysAsync_ListsEachTestOnce_WhenTestsHaveManyResults(StoreProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider, postgres);
        await RunAsync(database, "a", ("B.Two", P), ("A.One", F));
        await RunAsync(database, "b", ("B.Two", P), ("C.Three", P));

        await using var db = database.CreateDbContext();
        var keys = await TestCatalog.AllKeysAsync(db, TestContext.Current.CancellationToken);

        Assert.Equal(["A.One", "B.Two", "C.Three"], keys.Select(k => k.FullyQualifiedName));
    }

    [Theory]
    [InlineData(StoreProvider.Sqlite)]
    [InlineData(StoreProvider.PostgreSql)]
    public async Task KeysAsync_KeepsTwoSuitesTestsOfOneNameApart_AndPagesInSuiteThenNameOrder(StoreProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider, postgres);
        await RunAsync(database, "a", ("A.Same", P), ("B.Other", P));
        await using (var db = database.CreateDbContext())
        {
            var run = new TestRun { SuiteName = "unit", Source = RunSource.Ci, Status = RunStatus.Failed, CreatedAt = DateTimeOffset.UnixEpoch };
            run.Results.Add(new Web.Results.TestResult { ResultKey = "1", FullyQualifiedName = "A.Same", DisplayName = "A.Same", Outcome = TestOutcome.Failed, RecordedAt = DateTimeOffset.UnixEpoch });
            db.TestRuns.Add(run);
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        }

        await DiscoverAsync(database, "C.DiscoveredOnly", "7");

        await using var read = database.CreateDbContext();
        var all = await TestCatalog.AllKeysAsync(read, TestContext.Current.CancellationToken);
        var second = await TestCatalog.KeysAsync(read, null, 1, 2, TestContext.Current.CancellationToken);
        var unit = await TestCatalog.KeysAsync(read, "unit", 0, 10, TestContext.Current.CancellationToken);
        var histories = await TestHistoryReader.LatestOfAllAsync(read, all, 30, TestContext.Current.CancellationToken);

        Assert.Equal(["l2:A.Same", "l2:B.Other", "l2:C.DiscoveredOnly", "unit:A.Same"], all.Select(k => k.ToString()));
        Assert.Equal(["l2:B.Other", "l2:C.DiscoveredOnly"], second.Select(k => k.ToString()));
        Assert.Equal(["unit:A.Same"], unit.Select(k => k.ToString()));
        Assert.Equal(TestOutcome.Passed, histories[new TestKey("l2", "A.Same")].Single().Outcome);
        Assert.Equal(TestOutcome.Failed, histories[new TestKey("unit", "A.Same")].Single().Outcome);
    }
}
