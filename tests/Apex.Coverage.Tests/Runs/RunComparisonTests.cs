using Apex.Coverage.Web.Results;
using Apex.Coverage.Web.Runs;
using TestOutcome = Apex.Coverage.Web.Results.TestOutcome;
using TestResult = Apex.Coverage.Web.Results.TestResult;

namespace Apex.Coverage.Tests.Runs;

public sealed class RunComparisonTests
{
    private static TestResult R(string name, TestOutcome outcome, double seconds = 0.1, string? display = null) =>
        new() { ResultKey = display ?? name, FullyQualifiedName = name, DisplayName = display ?? name, Outcome = outcome, DurationSeconds = seconds };

    [Fact]
    public void Of_SortsEachTestIntoItsChange_WhenOutcomesDiffer()
    {
        TestResult[] before = [R("A.Breaks", TestOutcome.Passed), R("A.Heals", TestOutcome.Failed), R("A.Stays", TestOutcome.Failed), R("A.Removed", TestOutcome.Passed)];
        TestResult[] after = [R("A.Breaks", TestOutcome.Failed), R("A.Heals", TestOutcome.Passed), R("A.Stays", TestOutcome.Failed), R("A.Added", TestOutcome.Failed)];

        var c = RunComparison.Of(before, after);

        Assert.Equal(["A.Breaks", "A.Added"], c.NewFailures.Select(t => t.FullyQualifiedName));
        Assert.Equal(["A.Heals"], c.Fixed.Select(t => t.FullyQualifiedName));
        Assert.Equal(["A.Stays"], c.StillFailing.Select(t => t.FullyQualifiedName));
        Assert.Equal(["A.Added"], c.NewTests.Select(t => t.FullyQualifiedName));
        Assert.Equal(["A.Removed"], c.Gone.Select(t => t.FullyQualifiedName));
        Assert.Equal((TestOutcome.Passed, TestOutcome.Failed), (c.NewFailures[0].Before, c.NewFailures[0].After));
    }

    [Fact]
    public void Of_KeepsTheoryRowsApart_WhenTheyShareAFullyQualifiedName()
    {
        TestResult[] before = [R("A.Theory", TestOutcome.Passed, display: "A.Theory(x: 1)"), R("A.Theory", TestOutcome.Passed, display: "A.Theory(x: 2)")];
        TestResult[] after = [R("A.Theory", TestOutcome.Passed, display: "A.Theory(x: 1)"), R("A.Theory", TestOutcome.Failed, display: "A.Theory(x: 2)")];

        var c = RunComparison.Of(before, after);

        Assert.Equal(["A.Theory(x: 2)"], c.NewFailures.Select(t => t.DisplayName));
        Assert.Empty(c.NewTests);
    }

    [Fact]
    public void Of_ListsOnlyLargeDurationChanges_WhenTimesMove()
    {
        TestResult[] before = [R("A.Slower", TestOutcome.Passed, 1.0), R("A.Jitter", TestOutcome.Passed, 1.0), R("A.Faster", TestOutcome.Passed, 4.0), R("A.SmallButDouble", TestOutcome.Passed, 0.1)];
        TestResult[] after = [R("A.Slower", TestOutcome.Passed, 2.0), R("A.Jitter", TestOutcome.Passed, 1.4), R("A.Faster", TestOutcome.Passed, 1.0), R("A.SmallButDouble", TestOutcome.Passed, 0.3)];

        var c = RunComparison.Of(before, after);

        Assert.Equal(["A.Faster", "A.Slower"], c.DurationChanges.Select(t => t.FullyQualifiedName));
        Assert.Equal(-3.0, c.DurationChanges[0].DeltaSeconds, 3);
        Assert.False(c.IsEmpty);
    }

    [Fact]
    public void Of_IsEmpty_WhenRunsAreAlike() =>
        Assert.True(RunComparison.Of([R("A.B", TestOutcome.Passed)], [R("A.B", TestOutcome.Passed, 0.12)]).IsEmpty);
}
