using Apex.Coverage.Web.CodeCoverage;
using Apex.Coverage.Web.Plan;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace Apex.Coverage.Web.Components.CodeCoverage;

/// <summary>Reads the latest measured run and the trend each time its parent hands it a new version (a refreshed report).</summary>
public sealed partial class CodeCoverageCard
{
    private const int TrendPoints = 30;

    [Inject] private CodeCoverageStore Store { get; set; } = null!;

    [Inject] private PlanCatalog Catalog { get; set; } = null!;

    /// <summary>Anything that changes when the page refreshes; the card reads again on each new value.</summary>
    [Parameter] public object? Version { get; set; }

    private RunCodeCoverage? Latest { get; set; }

    private IReadOnlyList<CoveragePoint> Trend { get; set; } = [];

    private CodeCoverageGoal Goal => Catalog.Current is { } plan ? CodeCoverageGoal.From(plan.Document.Metrics) : CodeCoverageGoal.None;

    private string Target => Store.TargetAssembly;

    protected override async Task OnParametersSetAsync()
    {
        Latest = await Store.LatestAsync();
        Trend = await Store.TrendAsync(TrendPoints);
    }

    private Color LineColor => Goal.TargetPercent is { } target && Latest?.Counts.LineRate is { } rate
        ? ((decimal)rate * 100m >= target ? Color.Success : Color.Warning)
        : Color.Default;

    private static string GapText(RunCodeCoverage latest, decimal target) =>
        latest.Counts.LineRate is { } rate && (decimal)rate * 100m < target
            ? $" · {target - Math.Round((decimal)rate * 100m, 1)} points to go"
            : " · met";

    private List<ChartSeries<double>> TrendSeries =>
    [
        new() { Name = "Line %", Data = new ChartData<double>([.. Trend.Select(p => Math.Round(p.LineRate * 100, 1))]) },
        new() { Name = "Branch %", Data = new ChartData<double>([.. Trend.Select(p => Math.Round((p.BranchRate ?? 0) * 100, 1))]) },
    ];

    private string[] TrendLabels => [.. Trend.Select((p, i) => i % 5 == 0 ? $"#{p.RunId}" : "")];
}
