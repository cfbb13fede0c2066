using Apex.Coverage.Web.Analytics;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace Apex.Coverage.Web.Components.Analytics;

public sealed partial class CoverageOverview
{
    private static readonly LineChartOptions PassRateOptions = new() { YAxisToStringFunc = v => $"{v:0}%", YAxisTitle = "passed %" };

    private static readonly LineChartOptions MoneyOptions = new() { YAxisToStringFunc = v => $"${v:0}K", YAxisTitle = "MRR ($K)" };

    [Inject]
    private CoverageTrend Trends { get; set; } = null!;

    [Inject]
    private SinceLastFullRunReader SinceReader { get; set; } = null!;

    private TrendPoints? Trend { get; set; }

    private SinceLastFullRun? Since { get; set; }

    [Inject]
    private MappingConflicts MappingConflicts { get; set; } = null!;

    private IReadOnlyList<MappingConflict> Conflicts { get; set; } = [];

    protected override async Task LoadAsync()
    {
        // The trend's points are recorded when runs end (TrendRecorder), not by whoever looks.
        await base.LoadAsync();
        Trend = await Trends.ReadAsync();
        Since = Report is { } report ? await SinceReader.ReadAsync(report) : null;
        Conflicts = await MappingConflicts.ReadAsync(50);
    }

    private static bool NothingRan(CoverageReport report) => report.Tests.All(t => t.Verdict.Results == 0);

    private static int Judged(CoverageReport report) => report.Tests.Count(t => t.Verdict.Results > 0);

    private static double ImplementedShare(CoverageFigures totals) => totals.Items == 0 ? 0 : (double)totals.Implemented / totals.Items;

    private static bool? ImplementedMet(CoverageReport report) =>
        report.Targets.CoveragePercent is { } target ? (decimal)ImplementedShare(report.Totals) * 100m >= target : null;

    private static string Count(int count, string noun) => $"{count} {noun}{(count == 1 ? "" : "s")}";

    private static string FlakyDetail(CoverageReport report)
    {
        var judged = Judged(report);
        return judged == 0 ? "no test has results yet" : $"{report.Tests.Count(t => t.Verdict.Flaky)} of {Count(judged, "test")} with results";
    }

    private static List<ChartSeries<double>> PassRateSeries(TrendPoints trend) =>
        [new() { Name = "Passed %", Data = new ChartData<double>([.. trend.PassRates.Select(p => Math.Round(p.PassRate * 100, 1))]) }];

    private static string[] PassRateLabels(TrendPoints trend) => Sparse([.. trend.PassRates.Select(p => p.At)]);

    private static List<ChartSeries<double>> ProtectedSeries(TrendPoints trend, decimal? target)
    {
        List<ChartSeries<double>> series =
            [new() { Name = "Protected MRR", Data = new ChartData<double>([.. trend.Snapshots.Select(s => Math.Round((double)s.ProtectedMrr / 1000, 1))]) }];
        if (target is { } t)
        {
            series.Add(new() { Name = "Target", Data = new ChartData<double>([.. trend.Snapshots.Select(_ => (double)t / 1000)]) });
        }

        return series;
    }

    private static string[] SnapshotLabels(TrendPoints trend) => Sparse([.. trend.Snapshots.Select(s => s.TakenAt)]);

    // Thirty dates do not fit under a chart: label about six of them.
    private static string[] Sparse(IReadOnlyList<DateTimeOffset> at)
    {
        var every = Math.Max(1, (int)Math.Ceiling(at.Count / 6.0));
        return [.. at.Select((a, i) => i % every == 0 ? TimeWords.Tick(a) : "")];
    }
}
