namespace Apex.Coverage.Web.CodeCoverage;

public sealed record ModuleCoverageJson(
    string Name, int Files, double? LineRate, double? BranchRate, int LinesCovered, int LinesValid, int BranchesCovered, int BranchesValid);

/// <summary>A run's `codeCoverage` in GET /api/v1/runs/{id}: rates null (and note set) when coverage is missing.</summary>
public sealed record RunCoverageJson(
    string Target, double? LineRate, double? BranchRate, int LinesCovered, int LinesValid, int BranchesCovered, int BranchesValid,
    string? Note, IReadOnlyList<ModuleCoverageJson> Modules);

public sealed record FileCoverageJson(
    string Path, string Module, double? LineRate, double? BranchRate, int LinesCovered, int LinesValid, string UncoveredLines);

public static class CodeCoverageJson
{
    public static RunCoverageJson Of(RunCodeCoverage coverage) => new(
        coverage.Target, coverage.Counts.LineRate, coverage.Counts.BranchRate, coverage.LinesCovered, coverage.LinesValid,
        coverage.BranchesCovered, coverage.BranchesValid, coverage.Note,
        [.. coverage.Modules.OrderBy(m => m.Name, StringComparer.Ordinal).Select(Module)]);

    public static ModuleCoverageJson Module(ModuleCodeCoverage m) => new(
        m.Name, m.Files, m.Counts.LineRate, m.Counts.BranchRate, m.LinesCovered, m.LinesValid, m.BranchesCovered, m.BranchesValid);

    public static FileCoverageJson File(FileCodeCoverage f) => new(
        f.Path, f.Module, f.Counts.LineRate, f.Counts.BranchRate, f.LinesCovered, f.LinesValid, f.UncoveredLines);
}
