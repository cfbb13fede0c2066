using System.Globalization;

namespace Apex.Coverage.Web.Components.CodeCoverage;

/// <summary>How the coverage pages write rates: "64.3%", or a dash when there was nothing to cover.</summary>
public static class CodeCoverageFormat
{
    public static string Rate(double? rate) => rate is { } r ? (r * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%" : "—";

    public static string Lines(Apex.Coverage.Web.CodeCoverage.CodeCoverageCounts counts) =>
        string.Create(CultureInfo.InvariantCulture, $"{counts.LinesCovered} of {counts.LinesValid} lines · {counts.BranchesCovered} of {counts.BranchesValid} branches");

    public static string FileLink(long runId, string path) => $"coverage/runs/{runId}/file?path={Uri.EscapeDataString(path)}";
}
