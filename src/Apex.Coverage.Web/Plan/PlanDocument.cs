namespace Apex.Coverage.Web.Plan;

/// <summary>What an item's heading or status line says about it, independent of any test run.</summary>
public enum DeclaredStatus
{
    Planned,
    Implemented,
}

/// <summary>A plan parsed from markdown. Line numbers are 1-based, as an editor shows them.</summary>
public sealed record PlanDocument(
    string Title,
    IReadOnlyList<PlanMetric> Header,
    decimal? StatedTotalMrr,
    IReadOnlyList<PlanCategory> Categories,
    IReadOnlyList<PlanItem> Items,
    IReadOnlyList<PlanStatusEntry> StatusEntries,
    IReadOnlyList<RoadmapPhase> Phases,
    IReadOnlyList<TestingStandard> Standards,
    SuccessMetrics Metrics)
{
    public decimal TotalMrr => Categories.Sum(c => c.Mrr);

    public static PlanDocument Empty { get; } = new(
        "", [], null, [], [], [], [], [], SuccessMetrics.None);
}

/// <summary>
/// A category as the overview table and its detailed section describe it. <see cref="Count"/>,
/// <see cref="Mrr"/> and <see cref="Priority"/> come from the overview table (the section's own
/// figures where the overview lacks the category); the item range from the section heading.
/// </summary>
public sealed record PlanCategory(
    string Name,
    string Slug,
    int Count,
    decimal Mrr,
    string? Priority,
    int? FirstItem,
    int? LastItem,
    decimal? SectionMrr,
    int Line,
    int? SectionLine);

public sealed record PlanItem(
    int Number,
    string Name,
    string CategorySlug,
    string Bvj,
    decimal? BvjMrr,
    IReadOnlyList<string> Components,
    IReadOnlyList<string> Scenarios,
    DeclaredStatus DeclaredStatus,
    int Line);

/// <summary>A row of the Implementation Status table: an item or a range of items.</summary>
public sealed record PlanStatusEntry(
    int FirstItem,
    int LastItem,
    string Name,
    DeclaredStatus Status,
    string? FileLocation,
    int Line);

public sealed record ItemRange(int First, int Last, string? Label)
{
    public bool Contains(int number) => number >= First && number <= Last;
}

public sealed record RoadmapPhase(
    string Name,
    string? Priority,
    IReadOnlyList<ItemRange> Ranges,
    decimal? StatedMrr,
    int Line);

public sealed record TestingStandard(string Section, string Title, string Text, int Line);

/// <summary>A labelled line such as "**Coverage Target:** Achieve 60% ...".</summary>
public sealed record PlanMetric(string Label, string Text, int Line);

public sealed record SuccessMetrics(
    decimal? CoverageTargetPercent,
    TimeSpan? TimeBudget,
    decimal? FlakinessLimitPercent,
    decimal? ProtectedMrr,
    IReadOnlyList<PlanMetric> All)
{
    public static SuccessMetrics None { get; } = new(null, null, null, null, []);
}
