using Apex.Coverage.Tests.Fixtures;
using Apex.Coverage.Tests.Runs;
using Apex.Coverage.Web.Mutation;

namespace Apex.Coverage.Tests.Mutation;

/// <summary>The live count of tested mutants, from Stryker's dots reporter: fed in pieces, and from the real tool redirected.</summary>
public sealed class StrykerProgressTests
{
    private const string Header = "[10:06:13 INF] 4     mutants got status NoCoverage.   Reason: Not covered by any test.\n[10:06:13 INF] 3     total mutants will be tested\n";

    [Fact]
    public void Feed_CountsEachMarkAsItArrives_BeforeItsLineEnds()
    {
        var progress = new StrykerProgress();
        var seen = new List<(int, int?)>();
        foreach (var chunk in new[] { Header[..30], Header[30..], ".", "S", "T\n", "Killed:   1\nTime 00:00:24.59\n" })
        {
            if (progress.Feed(chunk).Moved) seen.Add((progress.Tested, progress.Total));
        }

        Assert.Equal([(0, 3), (1, 3), (2, 3), (3, 3)], seen);
        Assert.Equal((3, 3), (progress.Tested, progress.Total));
        Assert.Equal("3 of 3 mutants tested: 1 killed, 1 survived, 1 timed out", progress.Tally);
    }

    [Fact]
    public void Feed_GivesBackTheDotsOfALogLine_AndHandsOverWholeLines()
    {
        var progress = new StrykerProgress();
        progress.Feed(Header);

        var (lines, _) = progress.Feed("... waiting for the test host 00:00:01.5\r\n..");

        Assert.Equal(["... waiting for the test host 00:00:01.5"], lines);
        Assert.Equal("2 of 3 mutants tested: 2 killed, 0 survived, 0 timed out", progress.Tally);
        Assert.Equal(["..", "Killed:   2"], progress.Feed("\nKilled:   2\n").Lines);
        Assert.Equal(2, progress.Tested);
    }

    [Fact]
    public void Feed_CountsNothing_BeforeStrykerSaysHowManyItWillTest()
    {
        var progress = new StrykerProgress();

        var (lines, moved) = progress.Feed("...\n[10:06:11 INF] 7 mutants created\n");

        Assert.Equal((false, 0, (int?)null, 2, (string?)null), (moved, progress.Tested, progress.Total, lines.Count, progress.Tally));
    }
}

/// <summary>
/// The real Stryker.NET on tests/fixtures/Apex.Fixture.Mutation, output redirected as the dashboard runs it:
/// item 2's tests reach two of Pricing.cs's mutants, and each is counted when it is tested.
/// </summary>
[Collection(MutationFixtureCollection.Name)]
public sealed class StrykerProcessProgressTests
{
    [Fact]
    public async Task RunAsync_ReportsEveryTestedMutantBeforeStrykerEnds_WhenItsOutputIsRedirected()
    {
        var output = TempFolder.Create("apex-stryker-progress");
        var seen = new List<(int?, int?)>();
        try
        {
            var scope = new MutationScope(2, "Apex.Fixture.Mutation.csproj", ["**/Pricing/Pricing.cs"], null,
                StrykerCommand.TestFilter(["Apex.Fixture.Mutation.Tests.BulkTests.IsBulk_IsTrueForLargeOrders_AndFalseForSmallOnes"]));
            var folder = Path.Combine(FixtureSuiteBuild.RepoRoot, "tests", "fixtures", "Apex.Fixture.Mutation.Tests");

            var result = await new StrykerProcess(TimeProvider.System).RunAsync(folder, StrykerCommand.Arguments(scope, new MutationOptions(), output),
                new Dictionary<string, string>(), TimeSpan.FromMinutes(15), (tested, total) => { seen.Add((tested, total)); return Task.CompletedTask; },
                TestContext.Current.CancellationToken);

            Assert.Equal((StrykerEnd.Exited, (int?)0), (result.End, result.ExitCode));
            Assert.Equal([(0, 2), (1, 2), (2, 2)], seen);
            Assert.Equal("2 of 2 mutants tested: 1 killed, 1 survived, 0 timed out", result.Tally);
        }
        finally
        {
            TempFolder.Delete(output);
        }
    }
}
