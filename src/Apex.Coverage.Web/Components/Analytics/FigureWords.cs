using Apex.Coverage.Web.Analytics;

namespace Apex.Coverage.Web.Components.Analytics;

/// <summary>
/// How each figure on the overview and category pages is computed, in the words a manager reads:
/// the one explanation of a figure, shown under it ("How is this computed?" on its <see cref="KpiCard"/>).
/// </summary>
public static class FigureWords
{
    public const string ItemsWithTests =
        "A plan item has a test when a test of the suite carries its number, found by discovery or in a run's results. "
        + "Passing counts the items whose tests all passed in their latest results; quarantined tests are left out.";

    public const string ProtectedMrr =
        "Each plan item counts for a share of its category's MRR, in proportion to the dollar figure of its business value (BVJ). "
        + "A passing item protects its share; a failing, flaky, not yet run or untested item puts its share at risk.";

    public const string SuiteDuration =
        "Start to end of the latest finished run that selected every test of the suite. "
        + "Runs of a part of the suite and results uploaded by CI do not count.";

    public const string TestTime =
        "The latest duration of each of the category's tests, added up: roughly what running the category alone takes.";

    public const string VerifiedMrr =
        "Protected MRR whose tests were also put to the test: a mutation run changed the platform code of the item's modules, "
        + "and the item's tests caught at least the threshold's share of those changes. An item never mutated is unverified.";

    public const string CodeCoverage =
        "The share of the platform's lines and branches that the tests executed, in the latest run that measured code coverage.";

    public static string FlakyTests(FlakinessRule rule) =>
        $"Flaky tests divided by the tests with at least one passed or failed result. A test is flaky when, in its last {rule.Window} runs, "
        + $"it passed and failed on the same commit, or its outcome changed in at least {AnalyticsFormat.Percent(rule.FlipRateThreshold, 0)} "
        + $"of consecutive runs ({rule.MinimumFlips} changes or more).";
}
