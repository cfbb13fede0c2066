using Apex.Coverage.Web.Analytics;
using Apex.Coverage.Web.Results;
using Apex.Coverage.Web.Runs;
using static Apex.Coverage.Tests.Analytics.History;

namespace Apex.Coverage.Tests.Analytics;

public sealed class TestVerdictTests
{
    private static readonly FlakinessRule Rule = FlakinessRule.Default;

    [Fact]
    public void Judge_IsNotRunWithZeroFlipRate_WhenNoResults()
    {
        var verdict = TestVerdict.Judge([], Rule);

        Assert.Equal((TestStatus.NotRun, 0, 0d, false), (verdict.Status, verdict.Results, verdict.FlipRate, verdict.Flaky));
    }

    [Fact]
    public void Judge_IsPassingWithZeroFlipRate_WhenOneResultPassed()
    {
        var verdict = TestVerdict.Judge(Of("P"), Rule);

        Assert.Equal((TestStatus.Passing, 1, 0d, false, TestOutcome.Passed), (verdict.Status, verdict.Results, verdict.FlipRate, verdict.Flaky, verdict.LatestOutcome));
    }

    [Fact]
    public void Judge_IsFailing_WhenOneResultFailed()
    {
        var verdict = TestVerdict.Judge(Of("F"), Rule);

        Assert.Equal((TestStatus.Failing, false), (verdict.Status, verdict.Flaky));
    }

    [Fact]
    public void Judge_IsNotRunAndNotFlaky_WhenAllResultsSkipped()
    {
        var verdict = TestVerdict.Judge(Of("S S S"), Rule);

        Assert.Equal((TestStatus.NotRun, 0, 0d, false), (verdict.Status, verdict.Flips, verdict.FlipRate, verdict.Flaky));
    }

    [Fact]
    public void Judge_IsFlaky_WhenPassedAndFailedOnOneCommit()
    {
        var verdict = TestVerdict.Judge(Of("F P", "abc", "abc"), Rule);

        Assert.True(verdict.SameCommitConflict);
        Assert.True(verdict.Flaky);
        Assert.Equal(TestStatus.Flaky, verdict.Status);
    }

    [Fact]
    public void Judge_IsFailingNotFlaky_WhenOneFlipAcrossCommits()
    {
        // A break: passed on one commit, failed on the next. One flip is a change, not flakiness.
        var verdict = TestVerdict.Judge(Of("P P P F", "a", "b", "c", "d"), Rule);

        Assert.Equal((1, false, false, TestStatus.Failing), (verdict.Flips, verdict.SameCommitConflict, verdict.Flaky, verdict.Status));
        Assert.Equal(1d / 3, verdict.FlipRate, 6);
    }

    [Fact]
    public void Judge_IsFlaky_WhenFlipsAcrossCommitsReachThreshold()
    {
        var verdict = TestVerdict.Judge(Of("P F P P", "a", "b", "c", "d"), Rule);

        Assert.Equal((2, true, TestStatus.Flaky), (verdict.Flips, verdict.Flaky, verdict.Status));
        Assert.Equal(2d / 3, verdict.FlipRate, 6);
    }

    [Fact]
    public void Judge_IsNotFlaky_WhenFlipRateBelowThreshold()
    {
        // 2 flips in 30 runs: 2 / 29 ≈ 0.069 < 0.1.
        var outcomes = string.Join(' ', Enumerable.Repeat("P", 14).Append("F").Concat(Enumerable.Repeat("P", 15)));
        var commits = Enumerable.Range(0, 30).Select(i => (string?)$"c{i}").ToArray();

        var verdict = TestVerdict.Judge(Of(outcomes, commits), Rule);

        Assert.Equal((2, false, TestStatus.Passing), (verdict.Flips, verdict.Flaky, verdict.Status));
    }

    [Fact]
    public void Judge_LooksOnlyAtWindow_WhenOlderRunsFlipped()
    {
        var outcomes = "P F P F " + string.Join(' ', Enumerable.Repeat("P", 5));

        var verdict = TestVerdict.Judge(Of(outcomes), Rule with { Window = 5 });

        Assert.Equal((5, 0, false), (verdict.Results, verdict.Flips, verdict.Flaky));
    }

    [Fact]
    public void Judge_UsesConfiguredThreshold_WhenRuleChanges()
    {
        var history = Of("P F P P P P P P P P P P P P P P P P P F P", "x");
        var strict = TestVerdict.Judge(Of("P F P P P P P P P P P P P P P P P P P F P"), Rule with { FlipRateThreshold = 0.5 });
        var loose = TestVerdict.Judge(Of("P F P P P P P P P P P P P P P P P P P F P"), Rule with { FlipRateThreshold = 0.1 });

        Assert.True(TestVerdict.Judge(history, Rule).SameCommitConflict);
        Assert.False(strict.Flaky);
        Assert.True(loose.Flaky);
    }

    [Fact]
    public void Judge_IgnoresSkippedBetweenFlips_WhenCountingOutcomeChanges()
    {
        var verdict = TestVerdict.Judge(Of("P S P S P"), Rule);

        Assert.Equal((0, 0d, TestStatus.Passing), (verdict.Flips, verdict.FlipRate, verdict.Status));
    }

    [Fact]
    public void Judge_FoldsTheoryRowsOfOneRun_WhenOneRowFailed()
    {
        // One run, commit "a", two theory rows: one passed, one failed. That is a failure, not a flip.
        List<RecordedOutcome> rows =
        [
            new(7, TestOutcome.Failed, "a", 1, "row 2 failed", DateTimeOffset.UnixEpoch),
            new(7, TestOutcome.Passed, "a", 1, null, DateTimeOffset.UnixEpoch),
        ];

        var verdict = TestVerdict.Judge(rows, Rule);

        Assert.Equal((1, 0, false, TestStatus.Failing, 2d), (verdict.Results, verdict.Flips, verdict.SameCommitConflict, verdict.Status, verdict.LatestDurationSeconds));
    }

    [Fact]
    public void Judge_IsQuarantinedButStillFlaky_WhenQuarantined()
    {
        var verdict = TestVerdict.Judge(Of("F P", "abc", "abc"), Rule, quarantined: true);

        Assert.Equal((TestStatus.Quarantined, true), (verdict.Status, verdict.Flaky));
    }

    [Theory]
    [InlineData(new[] { TestStatus.Passing, TestStatus.Failing, TestStatus.Flaky }, ItemStatus.Failing)]
    [InlineData(new[] { TestStatus.Passing, TestStatus.Flaky, TestStatus.NotRun }, ItemStatus.Flaky)]
    [InlineData(new[] { TestStatus.Passing, TestStatus.NotRun }, ItemStatus.NotRun)]
    [InlineData(new[] { TestStatus.Passing, TestStatus.Passing }, ItemStatus.Passing)]
    [InlineData(new[] { TestStatus.Passing, TestStatus.Quarantined }, ItemStatus.Passing)]
    [InlineData(new[] { TestStatus.Failing, TestStatus.Quarantined }, ItemStatus.Failing)]
    [InlineData(new[] { TestStatus.Quarantined, TestStatus.Quarantined }, ItemStatus.Quarantined)]
    [InlineData(new TestStatus[0], ItemStatus.NotImplemented)]
    public void ItemRollup_FollowsPrecedence_WhenTestsDisagree(TestStatus[] tests, ItemStatus expected) =>
        Assert.Equal(expected, ItemRollup.Of(tests));

    [Fact]
    public void Normalise_GroupsMessages_WhenOnlyNumbersAndIdsDiffer()
    {
        var a = FailureGroups.Normalise("Expected 3 but was 5 for tenant 6f1c2a3b-1111-2222-3333-444455556666\n   at Foo.Bar()");
        var b = FailureGroups.Normalise("Expected 4 but was 17 for tenant 0a1c2a3b-1111-2222-3333-444455556666");

        Assert.Equal(a, b);
        Assert.Equal("Expected <n> but was <n> for tenant <id>", a);
        Assert.NotEqual(a, FailureGroups.Normalise("Connection refused to 'redis'"));
    }
}
