using Apex.Coverage.Web.Analytics;

namespace Apex.Coverage.Web.Mutation;

/// <summary>An item's mutation verdict: verified, below the threshold, or never mutated (unverified).</summary>
public enum MutationVerdict
{
    Unverified,
    BelowThreshold,
    Verified,
}

public sealed record VerifiedFigures(decimal ProtectedMrr, decimal VerifiedMrr, int VerifiedItems, int MutatedItems, int UnverifiedItems);

public sealed record VerifiedReport(
    double Threshold, DateTimeOffset? LastRunAt, VerifiedFigures Totals, IReadOnlyDictionary<string, VerifiedFigures> Categories,
    IReadOnlyDictionary<int, MutationVerdict> Items);

/// <summary>
/// Verified protected MRR, a pure function of the coverage report and each item's latest completed
/// mutation run: the MRR of protected (passing) items whose mutation score meets the threshold. An
/// item never mutated, or whose mutants were all invalid, is unverified and never counted.
/// </summary>
public static class VerifiedMrr
{
    public static VerifiedReport Compute(CoverageReport report, IReadOnlyList<MutationRun> latest, double threshold)
    {
        var runs = latest.ToDictionary(r => r.PlanItem);
        var verdicts = report.Items.ToDictionary(i => i.Item.Number, i => Verdict(runs.GetValueOrDefault(i.Item.Number), threshold));
        var categories = report.Categories.ToDictionary(c => c.Category.Slug, c => Figures(c.Items, verdicts), StringComparer.Ordinal);
        var lastRun = latest.Select(r => r.FinishedAt).Max();
        return new VerifiedReport(threshold, lastRun, Figures(report.Items, verdicts), categories, verdicts);
    }

    public static MutationVerdict Verdict(MutationRun? run, double threshold) => run?.Counts switch
    {
        null => MutationVerdict.Unverified,
        { Score: null } => MutationVerdict.Unverified,
        { } counts when counts.MeetsThreshold(threshold) => MutationVerdict.Verified,
        _ => MutationVerdict.BelowThreshold,
    };

    private static VerifiedFigures Figures(IReadOnlyList<ItemCoverage> items, IReadOnlyDictionary<int, MutationVerdict> verdicts)
    {
        var verified = items.Where(i => i.Protected && verdicts[i.Item.Number] == MutationVerdict.Verified).ToList();
        return new VerifiedFigures(
            items.Sum(i => i.ProtectedMrr),
            verified.Sum(i => i.ProtectedMrr),
            verified.Count,
            items.Count(i => verdicts[i.Item.Number] != MutationVerdict.Unverified),
            items.Count(i => verdicts[i.Item.Number] == MutationVerdict.Unverified));
    }
}
