namespace Apex.Coverage.Web.Mutation;

/// <summary>
/// Mutant counts and the verdicts over them, kept apart from storage like TestVerdict. The score is
/// Stryker's: detected (killed + timeout) over valid (detected + survived + no coverage); compile
/// errors and ignored mutants are not valid and not counted.
/// </summary>
public readonly record struct MutationCounts(int Killed, int Survived, int NoCoverage, int Timeout)
{
    public int Detected => Killed + Timeout;

    public int Valid => Detected + Survived + NoCoverage;

    /// <summary>The score in percent, or null when no valid mutant exists (nothing to verify).</summary>
    public double? Score => Valid == 0 ? null : 100.0 * Detected / Valid;

    public static MutationCounts operator +(MutationCounts a, MutationCounts b) =>
        new(a.Killed + b.Killed, a.Survived + b.Survived, a.NoCoverage + b.NoCoverage, a.Timeout + b.Timeout);

    /// <summary>Verified: a score at or above the threshold; no score is never verified.</summary>
    public bool MeetsThreshold(double threshold) => Score is { } score && score >= threshold;
}
