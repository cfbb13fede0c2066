namespace Apex.Coverage.Web.Plan;

/// <summary>
/// Errors make a plan unusable (its import is rejected, the last good catalog stays); warnings
/// are the plan's own inconsistencies, shown beside the catalog.
/// </summary>
public enum FindingSeverity
{
    Error,
    Warning,
    Info,
}

/// <summary>One problem in a plan file, at a 1-based line (0 when it concerns the whole file).</summary>
public sealed record PlanFinding(FindingSeverity Severity, string Code, string Message, int Line)
{
    public static PlanFinding Error(string code, int line, string message) =>
        new(FindingSeverity.Error, code, message, line);

    public static PlanFinding Warning(string code, int line, string message) =>
        new(FindingSeverity.Warning, code, message, line);

    public static PlanFinding Info(string code, int line, string message) =>
        new(FindingSeverity.Info, code, message, line);
}

public sealed record PlanParseResult(PlanDocument Document, IReadOnlyList<PlanFinding> Findings)
{
    public bool HasErrors => Findings.Any(f => f.Severity == FindingSeverity.Error);
}
