using System.Globalization;
using Apex.Coverage.Web.Analytics;
using Microsoft.AspNetCore.Components;

namespace Apex.Coverage.Web.Components.Analytics;

/// <summary>
/// A small SVG line of a test's duration over its recorded runs (one point per run, oldest left),
/// scaled from 0 to the slowest run; the figures are in the labels and the accessible name too.
/// </summary>
public sealed partial class DurationTrend
{
    private const double Width = 1000;
    private const double Height = 160;
    private const double Left = 4;
    private const double Top = 8;
    private const double Bottom = Height - 4;

    /// <summary>Newest first, as the history reader gives them.</summary>
    [Parameter, EditorRequired] public IReadOnlyList<RecordedOutcome> Results { get; set; } = [];

    private List<RecordedOutcome> Points { get; set; } = [];

    private double Max { get; set; }

    private double Median { get; set; }

    protected override void OnParametersSet()
    {
        Points = [.. Results.Reverse()];
        Max = Points.Count == 0 ? 0 : Math.Max(Points.Max(p => p.DurationSeconds), 0.001);
        var sorted = Points.Select(p => p.DurationSeconds).Order().ToList();
        Median = sorted.Count == 0 ? 0 : sorted[sorted.Count / 2];
    }

    private static string ViewBox => $"0 0 {Format(Width)} {Format(Height)}";

    private string Summary => Points.Count == 0 ? "" :
        $"Duration of the last {Points.Count} runs, oldest first: from {TimeWords.Duration(Points[0].DurationSeconds)} to {TimeWords.Duration(Points[^1].DurationSeconds)}, slowest {TimeWords.Duration(Max)}, median {TimeWords.Duration(Median)}.";

    private string X(int index) => Format(Points.Count == 1 ? (Left + Width) / 2 : Left + 6 + index * (Width - Left - 12) / (Points.Count - 1));

    private string Y(double seconds) => Format(Bottom - seconds / Max * (Bottom - Top));

    private string Line => string.Join(" ", Points.Select((p, i) => $"{X(i)},{Y(p.DurationSeconds)}"));

    private static string Format(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);
}
