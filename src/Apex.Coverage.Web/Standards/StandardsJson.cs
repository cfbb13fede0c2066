using Apex.Coverage.Web.Analytics;
using Apex.Coverage.Web.Standards;

namespace Apex.Coverage.Web.Standards
{
    public sealed record StandardsRulesResponse(IReadOnlyList<string> BvjFields, int? FileLineLimit, int? FunctionLineLimit, bool RealComponentsOnly);

    public sealed record StandardFindingResponse(string Rule, string File, int Line, string? TestClass, IReadOnlyList<int> PlanItems, string Message);

    /// <summary>The whole check: the rules read from the plan, what was read, every finding (shared code's too).</summary>
    public sealed record StandardsResponse(
        string Suite, DateTimeOffset CheckedAt, StandardsRulesResponse Rules, int Files, int TestClasses,
        int FindingCount, string? Problem, IReadOnlyList<StandardFindingResponse> Findings);

    /// <summary>An item's or a category's part of the check: its test classes and their findings.</summary>
    public sealed record StandardsPartResponse(IReadOnlyList<string> TestClasses, IReadOnlyList<StandardFindingResponse> Findings);

    /// <summary>Adds the standards check to GET /api/v1/coverage: whole, per category and per item.</summary>
    public static class StandardsJson
    {
        public static CoverageResponse Attach(CoverageResponse response, CoverageReport report, StandardsReport? standards)
        {
            if (standards is null)
            {
                return response;
            }

            var itemsOf = report.Categories.ToDictionary(c => c.Category.Slug, c => (IReadOnlySet<int>)c.Items.Select(i => i.Item.Number).ToHashSet(), StringComparer.Ordinal);
            return response with
            {
                Standards = Whole(standards),
                Categories = [.. response.Categories.Select(c => c with { Standards = Part(standards, itemsOf.GetValueOrDefault(c.Slug) ?? new HashSet<int>()) })],
                Items = [.. response.Items.Select(i => i with { Standards = Part(standards, new HashSet<int> { i.Number }) })],
            };
        }

        public static StandardsResponse Whole(StandardsReport r) => new(
            r.Suite, r.CheckedAt, new StandardsRulesResponse(r.Rules.BvjFields, r.Rules.FileLineLimit, r.Rules.FunctionLineLimit, r.Rules.RealComponentsOnly),
            r.Files, r.TestClasses.Count, r.Findings.Count, r.Problem, [.. r.Findings.Select(Finding)]);

        private static StandardsPartResponse Part(StandardsReport r, IReadOnlySet<int> items) => new(
            [.. r.TestClasses.Where(c => c.PlanItems.Any(items.Contains)).Select(c => c.Name).Distinct()],
            [.. r.ForItems(items).Select(Finding)]);

        private static StandardFindingResponse Finding(StandardFinding f) => new(f.Rule, f.File, f.Line, f.TestClass, f.PlanItems, f.Message);
    }
}

namespace Apex.Coverage.Web.Analytics
{
    // The standards check's share of GET /api/v1/coverage; null when no plan is imported.
    public sealed partial record CoverageResponse
    {
        public StandardsResponse? Standards { get; init; }
    }

    public sealed partial record CoverageCategoryResponse
    {
        public StandardsPartResponse? Standards { get; init; }
    }

    public sealed partial record CoverageItemResponse
    {
        public StandardsPartResponse? Standards { get; init; }
    }
}
