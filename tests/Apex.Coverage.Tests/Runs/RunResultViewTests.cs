using Apex.Coverage.Web.Results;
using Apex.Coverage.Web.Runs;
using TestOutcome = Apex.Coverage.Web.Results.TestOutcome;
using TestResult = Apex.Coverage.Web.Results.TestResult;

namespace Apex.Coverage.Tests.Runs;

public sealed class RunResultViewTests
{
    private static readonly TestResult[] Results =
    [
        R("A.Zeta", TestOutcome.Passed),
        R("A.Skipped", TestOutcome.Skipped),
        R("A.Beta", TestOutcome.Failed, "Expected 3 but was 4"),
        R("A.Missing", TestOutcome.NotFound),
        R("A.Alpha", TestOutcome.Failed, "Connection refused"),
        R("A.Gamma", TestOutcome.Passed),
    ];

    private static TestResult R(string name, TestOutcome outcome, string? error = null) =>
        new() { ResultKey = name, FullyQualifiedName = name, DisplayName = name, Outcome = outcome, ErrorMessage = error };

    [Fact]
    public void Select_PutsFailuresFirstThenNotFoundSkippedPassed_WhenNothingIsFiltered() =>
        Assert.Equal(["A.Alpha", "A.Beta", "A.Missing", "A.Skipped", "A.Gamma", "A.Zeta"],
            RunResultView.Select(Results, OutcomeFilter.All, null).Select(r => r.DisplayName));

    [Fact]
    public void Select_KeepsFailedAndNotFound_WhenFailedIsChosen() =>
        Assert.Equal(["A.Alpha", "A.Beta", "A.Missing"], RunResultView.Select(Results, OutcomeFilter.Failed, " ").Select(r => r.DisplayName));

    [Fact]
    public void Select_MatchesErrorMessageIgnoringCase_WhenTextIsGiven() =>
        Assert.Equal(["A.Alpha"], RunResultView.Select(Results, OutcomeFilter.All, " connection ").Select(r => r.DisplayName));

    [Fact]
    public void Count_CountsEachOutcomeFilter_WhenAsked() =>
        Assert.Equal((6, 3, 2, 1), (RunResultView.Count(Results, OutcomeFilter.All), RunResultView.Count(Results, OutcomeFilter.Failed),
            RunResultView.Count(Results, OutcomeFilter.Passed), RunResultView.Count(Results, OutcomeFilter.Skipped)));
}
