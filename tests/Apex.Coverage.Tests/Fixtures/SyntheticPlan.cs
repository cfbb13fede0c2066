using System.Globalization;
using System.Text;

namespace Apex.Coverage.Tests.Fixtures;

/// <summary>
/// A plan in the style of plan/L2_TEST_PLAN.md with as many items as asked, in categories of 50,
/// every figure consistent (no lint). Shared with the benchmarks project.
/// </summary>
public static class SyntheticPlan
{
    private const int PerCategory = 50;

    public static string Create(int items, string bvjSuffix = "")
    {
        var categories = (items + PerCategory - 1) / PerCategory;
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"# Synthetic Plan - {items} Tests\n\n> **Total Protected MRR:** ${Mrr(items)}K\n\n");
        text.Append("## Test Categories Overview\n\n| Category | Count | MRR Protection | Priority |\n|---|---|---|---|\n");
        for (var c = 0; c < categories; c++)
        {
            var count = Math.Min(PerCategory, items - c * PerCategory);
            text.Append(CultureInfo.InvariantCulture, $"| Category {c + 1} | {count} | ${Mrr(count)}K | P{c % 3} |\n");
        }

        text.Append("\n## Detailed Test Specifications\n\n");
        for (var c = 0; c < categories; c++)
        {
            AppendCategory(text, c, Math.Min(PerCategory, items - c * PerCategory), bvjSuffix);
        }

        text.Append(CultureInfo.InvariantCulture,
            $"## Success Metrics\n\n- **Coverage Target:** Achieve 60% coverage\n- **Test Execution Time:** Complete in <10 minutes\n- **Reliability:** <1% test flakiness rate\n- **Business Impact:** ${Mrr(items)}K MRR protected\n");
        return text.ToString();
    }

    // Each item's BVJ is $2K, so a category's MRR is twice its count in thousands.
    private static int Mrr(int count) => count * 2;

    private static void AppendCategory(StringBuilder text, int category, int count, string bvjSuffix)
    {
        var first = category * PerCategory + 1;
        text.Append(CultureInfo.InvariantCulture,
            $"### Category {category + 1} (Tests {first}-{first + count - 1}) - ${Mrr(count)}K MRR Protection\n\n");
        for (var n = first; n < first + count; n++)
        {
            text.Append(CultureInfo.InvariantCulture, $"#### {n}. {(n % 10 == 0 ? "✅ " : "")}Synthetic Test {n}\n");
            text.Append(CultureInfo.InvariantCulture, $"- **BVJ:** Protects $2K MRR of segment {n % 7}{bvjSuffix}\n");
            text.Append(CultureInfo.InvariantCulture, $"- **Components:** Service {n % 11}, store {n % 5}, queue {n % 3}\n");
            text.Append(CultureInfo.InvariantCulture, $"- **Scenarios:** Happy path, timeout, retry {n % 4}\n\n");
        }
    }
}
