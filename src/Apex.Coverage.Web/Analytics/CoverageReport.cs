using Apex.Coverage.Web.Plan;
using Apex.Coverage.Web.Results;

namespace Apex.Coverage.Web.Analytics;

/// <summary>A test with the plan items it maps to and its verdict.</summary>
public sealed record TestCoverage(string FullyQualifiedName, IReadOnlyList<int> PlanItems, TestVerdict Verdict, bool Quarantined)
{
    /// <summary>The MRR share of the items it maps to: what its failures put at risk.</summary>
    public decimal ItemsMrr { get; init; }

    /// <summary>The suite it belongs to: a test is its suite and its name (<see cref="TestKey"/>).</summary>
    public string Suite { get; init; } = string.Empty;

    public TestKey Key => new(Suite, FullyQualifiedName);
}

/// <summary>A plan item: its status, its tests and its share of the category's MRR by BVJ $.</summary>
public sealed record ItemCoverage(PlanItem Item, ItemStatus Status, IReadOnlyList<TestCoverage> Tests, decimal Mrr)
{
    public bool Protected => Status == ItemStatus.Passing;

    public decimal ProtectedMrr => Protected ? Mrr : 0m;
}

/// <summary>The figures the API and the KPI cards show, for the whole plan or one category.</summary>
public sealed record CoverageFigures(
    int Items,
    int Implemented,
    int Passing,
    int Failing,
    int Flaky,
    int NotRun,
    int Quarantined,
    decimal Mrr,
    decimal ProtectedMrr,
    double FlakyRate,
    double? LastSuiteSeconds)
{
    public decimal MrrAtRisk => Mrr - ProtectedMrr;

    public double ProtectedShare => Mrr == 0m ? 0 : (double)(ProtectedMrr / Mrr);
}

public sealed record CategoryCoverage(PlanCategory Category, CoverageFigures Figures, IReadOnlyList<ItemCoverage> Items);

/// <summary>Where the plan's Implementation Status (✅) and the stored facts disagree.</summary>
public sealed record DeclaredMismatch(int Number, string Name, DeclaredStatus Declared, ItemStatus Actual, string Message);

/// <summary>The plan's success metrics, the targets the actuals are shown against.</summary>
public sealed record CoverageTargets(decimal? CoveragePercent, TimeSpan? TimeBudget, decimal? FlakinessLimitPercent, decimal? ProtectedMrr)
{
    public static CoverageTargets From(SuccessMetrics metrics) =>
        new(metrics.CoverageTargetPercent, metrics.TimeBudget, metrics.FlakinessLimitPercent, metrics.ProtectedMrr);
}

public sealed record CoverageReport(
    CoverageFigures Totals,
    IReadOnlyList<CategoryCoverage> Categories,
    IReadOnlyList<ItemCoverage> Items,
    IReadOnlyList<TestCoverage> Tests,
    IReadOnlyList<DeclaredMismatch> Mismatches,
    CoverageTargets Targets,
    FlakinessRule Rule,
    DateTimeOffset ComputedAt)
{
    public IEnumerable<TestCoverage> Unmapped => Tests.Where(t => t.PlanItems.Count == 0);

    public CategoryCoverage? Category(string slug) => Categories.FirstOrDefault(c => c.Category.Slug == slug);

    public ItemCoverage? Item(int number) => Items.FirstOrDefault(i => i.Item.Number == number);
}
