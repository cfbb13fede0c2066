using System.Text.Json;
using System.Text.RegularExpressions;
using Npgsql;

namespace Apex.Platform.Performance.Queries;

/// <summary>
/// Runs a query under <c>EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON)</c> inside a transaction that is
/// rolled back (so analysing a write changes nothing) and flags what makes it slow: a sequential
/// scan that reads many rows of a table to keep few, or an execution slower than the threshold.
/// </summary>
public sealed partial class QueryAnalyzer(NpgsqlDataSource dataSource, QueryAnalyzerOptions options)
{
    public async Task<QueryAnalysis> AnalyzeAsync(string sql, IReadOnlyList<NpgsqlParameter> parameters, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var command = new NpgsqlCommand($"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {sql}", connection, transaction);
        foreach (var parameter in parameters) command.Parameters.Add(parameter.Clone());
        var json = (string)(await command.ExecuteScalarAsync(cancellationToken))!;
        await transaction.RollbackAsync(cancellationToken);
        using var document = JsonDocument.Parse(json);
        var top = document.RootElement[0];
        var root = PlanNode.Parse(top.GetProperty("Plan"));
        var execution = top.GetProperty("Execution Time").GetDouble();
        return new QueryAnalysis(sql, top.GetProperty("Planning Time").GetDouble(), execution, root, Findings(root, execution));
    }

    /// <summary>The analyses of a workload, worst (most blocks touched) first.</summary>
    public async Task<IReadOnlyList<QueryAnalysis>> RankAsync(IEnumerable<(string Sql, NpgsqlParameter[] Parameters)> workload, CancellationToken cancellationToken)
    {
        var analyses = new List<QueryAnalysis>();
        foreach (var (sql, parameters) in workload) analyses.Add(await AnalyzeAsync(sql, parameters, cancellationToken));
        return analyses.OrderByDescending(a => a.SharedBlocks).ToList();
    }

    private List<QueryFinding> Findings(PlanNode root, double executionMs)
    {
        var findings = root.SelfAndDescendants()
            .Where(n => n.IsSequentialScan && n.RowsRemovedByFilter >= options.SequentialScanRowThreshold
                && n.RowsRemovedByFilter > options.SelectivityRatio * Math.Max(1, n.ActualRows))
            .Select(n => new QueryFinding("sequential-scan", n.Relation ?? "?",
                $"Seq Scan on {n.Relation} read {n.ActualRows + n.RowsRemovedByFilter:0} rows to keep {n.ActualRows:0} (filter {n.Filter}).",
                FilteredColumns(n.Filter)))
            .ToList();
        if (executionMs > options.SlowQueryThreshold.TotalMilliseconds)
        {
            findings.Add(new QueryFinding("slow-execution", root.Relation ?? "", $"Executed in {executionMs:0.0} ms.", []));
        }

        return findings;
    }

    // "((customer_id = 42) AND (status = 'open'::text))" -> customer_id, status: the columns an
    // index would have to lead with.
    internal static IReadOnlyList<string> FilteredColumns(string? filter) =>
        filter is null ? [] : ComparedColumn().Matches(filter).Select(m => m.Groups[1].Value).Distinct().ToList();

    [GeneratedRegex(@"\(?([a-z_][a-z0-9_]*) (?:=|<|>|<=|>=) ", RegexOptions.CultureInvariant)]
    private static partial Regex ComparedColumn();
}

/// <summary>When a plan counts as slow.</summary>
public sealed class QueryAnalyzerOptions
{
    /// <summary>A sequential scan that throws away at least this many rows is flagged.</summary>
    public int SequentialScanRowThreshold { get; init; } = 10_000;

    /// <summary>... and throws away this many times more rows than it keeps.</summary>
    public double SelectivityRatio { get; init; } = 10;

    public TimeSpan SlowQueryThreshold { get; init; } = TimeSpan.FromMilliseconds(500);
}
