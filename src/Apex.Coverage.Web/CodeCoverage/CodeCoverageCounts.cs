namespace Apex.Coverage.Web.CodeCoverage;

/// <summary>Covered and coverable lines and branches; the rates follow (null when there is nothing to cover).</summary>
public readonly record struct CodeCoverageCounts(int LinesCovered, int LinesValid, int BranchesCovered, int BranchesValid)
{
    public double? LineRate => Rate(LinesCovered, LinesValid);

    public double? BranchRate => Rate(BranchesCovered, BranchesValid);

    public static CodeCoverageCounts operator +(CodeCoverageCounts left, CodeCoverageCounts right) => new(
        left.LinesCovered + right.LinesCovered, left.LinesValid + right.LinesValid,
        left.BranchesCovered + right.BranchesCovered, left.BranchesValid + right.BranchesValid);

    public static CodeCoverageCounts Sum(IEnumerable<CodeCoverageCounts> counts) => counts.Aggregate(default(CodeCoverageCounts), (a, b) => a + b);

    private static double? Rate(int covered, int valid) => valid == 0 ? null : Math.Round((double)covered / valid, 4);
}

/// <summary>One source file of the target: its module, counts and the lines no test reached.</summary>
public sealed record FileSummary(string Path, string Module, CodeCoverageCounts Counts, IReadOnlyList<int> UncoveredLines);

/// <summary>One module (a folder of the target project, else a namespace) and its counts.</summary>
public sealed record ModuleSummary(string Name, CodeCoverageCounts Counts, int Files);

/// <summary>What one report says about the target assembly.</summary>
public sealed record CoverageSummary(string Target, CodeCoverageCounts Counts, IReadOnlyList<ModuleSummary> Modules, IReadOnlyList<FileSummary> Files);
