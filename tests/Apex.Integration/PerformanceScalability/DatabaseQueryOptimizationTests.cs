using Apex.Integration.Infrastructure;
using Apex.Platform.Performance.Queries;
using Npgsql;

namespace Apex.Integration.PerformanceScalability;

/// <summary>
/// Plan item 78: on a real PostgreSQL table of 200,000 rows, the analyzer flags the query that
/// scans it sequentially (and not the ones an index already serves), the optimizer proposes and
/// applies the index, and the validator accepts it only because the plan changed to use the index
/// and the query reads far fewer blocks. Blocks read is the load-independent measure of "faster";
/// the execution times PostgreSQL measured are written to the test output.
/// </summary>
[PlanItem(78)]
[BusinessValue("All tiers", "Responsive queries as data grows",
    "Query performance worth $7K MRR responsiveness", "Slow queries are found and fixed from measured plans, not guesses")]
public sealed class DatabaseQueryOptimizationTests(DatabaseQueryOptimizationTests.Orders orders) : IClassFixture<DatabaseQueryOptimizationTests.Orders>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public sealed class Orders(PostgresServer postgres) : IAsyncLifetime
    {
        public const int Rows = 200_000;

        public NpgsqlDataSource DataSource { get; private set; } = null!;

        public async ValueTask InitializeAsync()
        {
            DataSource = NpgsqlDataSource.Create(await postgres.CreateDatabaseAsync("item78"));
            await using var command = DataSource.CreateCommand($"""
                CREATE TABLE orders (id bigserial PRIMARY KEY, customer_id int NOT NULL, status text NOT NULL, total numeric(10,2) NOT NULL);
                INSERT INTO orders (customer_id, status, total)
                SELECT i % 5000, CASE WHEN i % 10 = 0 THEN 'open' ELSE 'closed' END, (i % 997) / 10.0 FROM generate_series(1, {Rows}) AS i;
                ANALYZE orders;
                -- The optimizing test adds an index; it works on a copy so that the ranking test
                -- sees the table without it, whichever of the two runs first.
                CREATE TABLE orders_tuning AS SELECT * FROM orders;
                ANALYZE orders_tuning;
                """);
            await command.ExecuteNonQueryAsync();
        }

        public async ValueTask DisposeAsync() => await DataSource.DisposeAsync();
    }

    private readonly QueryAnalyzer _analyzer = new(orders.DataSource, new QueryAnalyzerOptions());

    [Fact]
    public async Task RankAsync_FlagsOnlyTheSequentialScan_WhenAnIndexServesTheOtherQueries()
    {
        var ranked = await _analyzer.RankAsync(
        [
            ("SELECT total FROM orders WHERE id = @id", [new NpgsqlParameter("id", 4242L)]),
            ("SELECT count(*), sum(total) FROM orders WHERE status = @status", [new NpgsqlParameter("status", "closed")]),
            ("SELECT count(*), sum(total) FROM orders WHERE customer_id = @customer", [new NpgsqlParameter("customer", 17)]),
        ], Cancel);

        var flagged = Assert.Single(ranked, a => a.Findings.Any(f => f.Kind == "sequential-scan"));
        Assert.Contains("customer_id", flagged.Sql, StringComparison.Ordinal);
        Assert.Equal(["customer_id"], flagged.Findings.Single(f => f.Kind == "sequential-scan").FilteredColumns);
        Assert.Equal("orders", flagged.Findings[0].Relation);
        Assert.Contains(ranked.Single(a => a.Sql.Contains("id = @id", StringComparison.Ordinal)).Root.SelfAndDescendants(), n => n.UsesIndex);
    }

    [Fact]
    public async Task OptimizeAsync_AddsTheIndexAndValidatesThePlan_WhenASequentialScanIsFlagged()
    {
        NpgsqlParameter[] parameters = [new("customer", 23), new("status", "open")];
        var before = await _analyzer.AnalyzeAsync("SELECT id, total FROM orders_tuning WHERE customer_id = @customer AND status = @status", parameters, Cancel);

        var result = await new QueryOptimizer(orders.DataSource, _analyzer).OptimizeAsync(before, parameters, Cancel);

        Assert.True(before.IsSlow);
        Assert.Equal(["customer_id", "status"], Assert.Single(result.Applied).Columns);
        Assert.True(result.Verdict.Improved, result.Verdict.Reason);
        Assert.Empty(result.After.Findings);
        Assert.Contains(result.After.Root.SelfAndDescendants(), n => n.UsesIndex && n.Index == "ix_orders_tuning_customer_id_status");
        Assert.True(result.After.SharedBlocks * 20 < before.SharedBlocks, $"blocks {before.SharedBlocks} -> {result.After.SharedBlocks}");
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"execution {before.ExecutionMs:0.00} ms -> {result.After.ExecutionMs:0.00} ms; {result.Verdict.Reason}");
    }

    [Fact]
    public void Validate_RefusesAFix_WhenThePlanStillScansSequentially()
    {
        var scan = new PlanNode("Seq Scan", "orders", null, "(customer_id = 1)", 40, 199_960, 3600, 1300, []);
        var analysis = new QueryAnalysis("q", 0.1, 20, scan, [new QueryFinding("sequential-scan", "orders", "scan", ["customer_id"])]);

        var verdict = PlanValidator.Validate(analysis, analysis);

        Assert.False(verdict.Improved);
    }
}
