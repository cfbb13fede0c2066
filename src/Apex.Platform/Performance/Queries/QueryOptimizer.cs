using Npgsql;

namespace Apex.Platform.Performance.Queries;

/// <summary>
/// Proposes the fix for a flagged sequential scan (a b-tree index on the filtered columns), applies
/// it, and validates it: the optimisation counts only if the plan changed to use the index and the
/// query reads fewer blocks than before. A fix that does not change the plan is reported, not kept.
/// </summary>
public sealed class QueryOptimizer(NpgsqlDataSource dataSource, QueryAnalyzer analyzer)
{
    public static IReadOnlyList<IndexProposal> Propose(QueryAnalysis analysis) =>
        analysis.Findings
            .Where(f => f.Kind == "sequential-scan" && f.FilteredColumns.Count > 0)
            .Select(f => new IndexProposal(f.Relation, f.FilteredColumns,
                $"CREATE INDEX IF NOT EXISTS ix_{f.Relation}_{string.Join('_', f.FilteredColumns)} ON {Quote(f.Relation)} ({string.Join(", ", f.FilteredColumns.Select(Quote))})"))
            .DistinctBy(p => p.Sql)
            .ToList();

    /// <summary>Applies each proposal, re-analyses the query, and keeps the indexes only when the plan validates.</summary>
    public async Task<OptimizationResult> OptimizeAsync(QueryAnalysis before, IReadOnlyList<NpgsqlParameter> parameters, CancellationToken cancellationToken)
    {
        var proposals = Propose(before);
        foreach (var proposal in proposals) await ExecuteAsync(proposal.Sql, cancellationToken);
        foreach (var relation in proposals.Select(p => p.Relation).Distinct()) await ExecuteAsync($"ANALYZE {Quote(relation)}", cancellationToken);
        var after = await analyzer.AnalyzeAsync(before.Sql, parameters, cancellationToken);
        var verdict = PlanValidator.Validate(before, after);
        if (!verdict.Improved)
        {
            foreach (var proposal in proposals) await ExecuteAsync($"DROP INDEX IF EXISTS {Quote(proposal.IndexName)}", cancellationToken);
        }

        return new OptimizationResult(before, after, proposals, verdict);
    }

    private async Task ExecuteAsync(string sql, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static string Quote(string identifier) => $"\"{identifier.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";
}

public sealed record IndexProposal(string Relation, IReadOnlyList<string> Columns, string Sql)
{
    public string IndexName => $"ix_{Relation}_{string.Join('_', Columns)}";
}

public sealed record OptimizationResult(QueryAnalysis Before, QueryAnalysis After, IReadOnlyList<IndexProposal> Applied, PlanVerdict Verdict);

public sealed record PlanVerdict(bool Improved, string Reason);

/// <summary>Compares two plans of one query: improved means no flagged scan left, an index used, and fewer blocks read.</summary>
public static class PlanValidator
{
    public static PlanVerdict Validate(QueryAnalysis before, QueryAnalysis after)
    {
        if (after.Findings.Any(f => f.Kind == "sequential-scan")) return new(false, "The plan still scans the table sequentially.");
        if (!after.Root.SelfAndDescendants().Any(n => n.UsesIndex)) return new(false, "The plan uses no index.");
        return after.SharedBlocks < before.SharedBlocks
            ? new(true, $"Blocks read {before.SharedBlocks} -> {after.SharedBlocks}; cost {before.TotalCost:0} -> {after.TotalCost:0}.")
            : new(false, $"The query reads no fewer blocks ({before.SharedBlocks} -> {after.SharedBlocks}).");
    }
}
