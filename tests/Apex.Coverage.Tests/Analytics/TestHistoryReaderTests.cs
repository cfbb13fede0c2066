using Apex.Coverage.Tests.Fixtures;
using Apex.Coverage.Web.Analytics;
using static Apex.Coverage.Tests.Analytics.History;

namespace Apex.Coverage.Tests.Analytics;

public sealed class TestHistoryReaderTests
{
    [Fact]
    public async Task LatestAsync_ReadsWholeWindowOfRuns_WhenTheoryRowsMakeSeveralResultsPerRun()
    {
        await using var database = await TestDatabase.CreateAsync();
        for (var run = 0; run < 12; run++)
        {
            // Three theory rows of one test per run; the oldest two runs fail.
            var outcome = run < 2 ? F : P;
            await RunAsync(database, $"c{run}", ("A.Theory", outcome), ("A.Theory", P), ("A.Theory", P));
        }

        await using var db = database.CreateDbContext();
        var rows = await TestHistoryReader.LatestAsync(db, "A.Theory", 10, TestContext.Current.CancellationToken);
        var verdict = TestVerdict.Judge(rows, FlakinessRule.Default with { Window = 10 });

        Assert.True(TestVerdict.PerRun(rows).Count() >= 10);
        Assert.Equal((10, 0, TestStatus.Passing), (verdict.Results, verdict.Flips, verdict.Status));
    }

    [Fact]
    public async Task ResultNamesAsync_ListsEachTestOnce_WhenTestsHaveManyResults()
    {
        await using var database = await TestDatabase.CreateAsync();
        await RunAsync(database, "a", ("B.Two", P), ("A.One", F));
        await RunAsync(database, "b", ("B.Two", P), ("C.Three", P));

        await using var db = database.CreateDbContext();
        var names = await TestHistoryReader.ResultNamesAsync(db, TestContext.Current.CancellationToken);

        Assert.Equal(["A.One", "B.Two", "C.Three"], names);
    }
}
