namespace Apex.Coverage.Web.Coverage;

/// <summary>Covered and coverable lines and branches; the rates follow (null when there is nothing to cover).</summary>
public readonly record struct CoverageCounts(int LinesCovered, int LinesValid, int BranchesCovered, int BranchesValid)
{
    public double? LineRate => Rate(LinesCovered, LinesValid);

    public double? BranchRate => Rate(BranchesCovered, BranchesValid);

    public static CoverageCounts operator +(CoverageCounts left, CoverageCounts right) => new(
        left.LinesCovered + right.LinesCovered, left.LinesValid + right.LinesValid,
        left.BranchesCovered + right.BranchesCovered, left.BranchesValid + right.BranchesValid);

    public static CoverageCounts Sum(IEnumerable<CoverageCounts> counts) => counts.Aggregate(default(CoverageCounts), (a, b) => a + b);

    private static double? Rate(int covered, int valid) => valid == 0 ? null : Math.Round((double)covered / valid, 4);
}

/// <summary>One source file of the target: its module, counts and the lines no test reached.</summary>
public sealed record FileSummary(string Path, string Module, CoverageCounts Counts, IReadOnlyList<int> UncoveredLines);

/// <summary>One module (a folder of the target project, else a namespace) and its counts.</summary>
public sealed record ModuleSummary(string Name, CoverageCounts Counts, int Files);

/// <summary>What one report says about the target assembly.</summary>
public sealed record CoverageSummary(string Target, CoverageCounts Counts, IReadOnlyList<ModuleSummary> Modules, IReadOnlyList<FileSummary> Files);
