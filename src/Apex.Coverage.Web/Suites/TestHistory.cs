using Apex.Coverage.Web.Runs;

namespace Apex.Coverage.Web.Suites;

/// <summary>
/// A test's recent outcomes, newest first, and what the shared definitions make of them: flip rate
/// = outcome changes ÷ (results − 1); flaky when it passed and failed on one commit, or when the
/// flip rate reaches the threshold with at least two flips.
/// </summary>
public sealed record TestHistory(IReadOnlyList<(TestOutcome Outcome, string? Commit)> Newest)
{
    public const int Window = 30;
    public const double FlipThreshold = 0.1;

    public TestOutcome? LastOutcome => Newest.Count > 0 ? Newest[0].Outcome : null;

    private IReadOnlyList<(TestOutcome Outcome, string? Commit)> Decided =>
        [.. Newest.Where(r => r.Outcome is TestOutcome.Passed or TestOutcome.Failed).Take(Window)];

    public int Flips
    {
        get
        {
            var decided = Decided;
            return decided.Zip(decided.Skip(1)).Count(p => p.First.Outcome != p.Second.Outcome);
        }
    }

    public double FlipRate => Decided.Count < 2 ? 0 : (double)Flips / (Decided.Count - 1);

    public bool Flaky =>
        Decided.Where(r => r.Commit is not null).GroupBy(r => r.Commit).Any(g => g.Select(r => r.Outcome).Distinct().Count() > 1)
        || (Flips >= 2 && FlipRate >= FlipThreshold);
}
