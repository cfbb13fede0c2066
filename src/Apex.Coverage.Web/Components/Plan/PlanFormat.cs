using System.Globalization;
using Apex.Coverage.Web.Plan;
using MudBlazor;

namespace Apex.Coverage.Web.Components.Plan;

/// <summary>How the plan pages write figures and statuses.</summary>
public static class PlanFormat
{
    public static string Money(decimal? dollars) => dollars is { } d ? Analytics.AnalyticsFormat.Money(d) : "—";

    public static string Share(decimal part, decimal total) =>
        total == 0m ? "0%" : string.Create(CultureInfo.InvariantCulture, $"{part / total * 100m:0.0}%");

    public static string Status(DeclaredStatus status) =>
        status == DeclaredStatus.Implemented ? "Implemented" : "Planned";

    public static Color StatusColor(DeclaredStatus status) =>
        status == DeclaredStatus.Implemented ? Color.Success : Color.Default;

    public static Severity Severity(FindingSeverity severity) => severity switch
    {
        FindingSeverity.Error => MudBlazor.Severity.Error,
        FindingSeverity.Warning => MudBlazor.Severity.Warning,
        _ => MudBlazor.Severity.Info,
    };

    public static string Line(int line) => line > 0 ? $"line {line}" : "whole file";
}
