using Apex.Coverage.Web.Analytics;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace Apex.Coverage.Web.Components.Analytics;

public sealed partial class CoverageOverview
{
    [Inject]
    private CoverageTrend Trends { get; set; } = null!;

    [Inject]
    private MappingConflicts MappingConflicts { get; set; } = null!;

    private TrendPoints? Trend { get; set; }

    private IReadOnlyList<MappingConflict> Conflicts { get; set; } = [];

    protected override async Task LoadAsync()
    {
        // The trend's points are recorded when runs end (TrendRecorder), not by whoever looks.
        await base.LoadAsync();
        Trend = await Trends.ReadAsync();
        Conflicts = await MappingConflicts.ReadAsync(50);
    }

    private static double ImplementedShare(CoverageFigures totals) => totals.Items == 0 ? 0 : (double)totals.Implemented / totals.Items;

    private static bool? ImplementedMet(CoverageReport report) =>
        report.Targets.CoveragePercent is { } target ? (decimal)ImplementedShare(report.Totals) * 100m >= target : null;

    private static string FlakyDetail(CoverageReport report)
    {
        var flaky = report.Tests.Count(t => t.Verdict.Flaky);
        var judged = report.Tests.Count(t => t.Verdict.Results > 0);
        return $"{flaky} of {judged} tests with results";
    }

    private static string[] CategoryLabels(CoverageReport report) =>
        [.. report.Categories.Select(c => c.Category.Name.Split(' ')[0])];

    private static List<ChartSeries<double>> MrrSeries(CoverageReport report) =>
    [
        new() { Name = "Protected", Data = new ChartData<double>([.. report.Categories.Select(c => (double)c.Figures.ProtectedMrr / 1000)]) },
        new() { Name = "At risk", Data = new ChartData<double>([.. report.Categories.Select(c => (double)c.Figures.MrrAtRisk / 1000)]) },
    ];

    private static List<ChartSeries<double>> PassRateSeries(TrendPoints trend) =>
        [new() { Name = "Pass rate %", Data = new ChartData<double>([.. trend.PassRates.Select(p => Math.Round(p.PassRate * 100, 1))]) }];

    // Thirty run numbers do not fit under a small chart: label every fifth.
    private static string[] PassRateLabels(TrendPoints trend) =>
        [.. trend.PassRates.Select((p, i) => i % 5 == 0 ? $"#{p.RunId}" : "")];

    private static List<ChartSeries<double>> ProtectedSeries(TrendPoints trend) =>
        [new() { Name = "Protected MRR $K", Data = new ChartData<double>([.. trend.Snapshots.Select(s => Math.Round((double)s.ProtectedMrr / 1000, 1))]) }];

    private static string[] SnapshotLabels(TrendPoints trend) => [.. trend.Snapshots.Select(s => s.TakenAt.ToString("MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture))];
}
