using System.Text.Json;

namespace Apex.Platform.Performance.Queries;

/// <summary>One node of PostgreSQL's plan, as <c>EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON)</c> reports it.</summary>
public sealed record PlanNode(
    string NodeType, string? Relation, string? Index, string? Filter, double ActualRows, double RowsRemovedByFilter,
    double TotalCost, long SharedBlocks, IReadOnlyList<PlanNode> Children)
{
    public IEnumerable<PlanNode> SelfAndDescendants() => Children.SelectMany(c => c.SelfAndDescendants()).Prepend(this);

    public bool IsSequentialScan => NodeType == "Seq Scan";

    public bool UsesIndex => NodeType is "Index Scan" or "Index Only Scan" or "Bitmap Index Scan";

    internal static PlanNode Parse(JsonElement node) => new(
        node.GetProperty("Node Type").GetString()!,
        Text(node, "Relation Name"),
        Text(node, "Index Name"),
        Text(node, "Filter"),
        Number(node, "Actual Rows"),
        Number(node, "Rows Removed by Filter"),
        Number(node, "Total Cost"),
        (long)(Number(node, "Shared Hit Blocks") + Number(node, "Shared Read Blocks")),
        node.TryGetProperty("Plans", out var plans) ? plans.EnumerateArray().Select(Parse).ToList() : []);

    private static string? Text(JsonElement node, string name) => node.TryGetProperty(name, out var value) ? value.GetString() : null;

    private static double Number(JsonElement node, string name) => node.TryGetProperty(name, out var value) ? value.GetDouble() : 0;
}

/// <summary>What a problem in a plan is: kind (e.g. "sequential-scan"), where, and why it matters.</summary>
public sealed record QueryFinding(string Kind, string Relation, string Detail, IReadOnlyList<string> FilteredColumns);

/// <summary>A query's measured plan: timings PostgreSQL measured while running it, its cost and the blocks it touched.</summary>
public sealed record QueryAnalysis(string Sql, double PlanningMs, double ExecutionMs, PlanNode Root, IReadOnlyList<QueryFinding> Findings)
{
    /// <summary>Shared buffers the whole plan read or hit: the query's I/O, independent of machine load.</summary>
    public long SharedBlocks => Root.SharedBlocks;

    public double TotalCost => Root.TotalCost;

    public bool IsSlow => Findings.Count > 0;
}
