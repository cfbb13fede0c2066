using Apex.Coverage.Web.Results;
using Apex.Coverage.Web.Runs;
using MudBlazor;

namespace Apex.Coverage.Web.Components.Runs;

/// <summary>How run statuses, outcomes and durations look on the pages.</summary>
public static class RunFormat
{
    public static Color StatusColor(RunStatus status) => status switch
    {
        RunStatus.Passed => Color.Success,
        RunStatus.Failed => Color.Error,
        RunStatus.Aborted or RunStatus.Interrupted => Color.Warning,
        RunStatus.Building or RunStatus.Running => Color.Info,
        _ => Color.Default,
    };

    public static Color OutcomeColor(TestOutcome outcome) => outcome switch
    {
        TestOutcome.Passed => Color.Success,
        TestOutcome.Failed => Color.Error,
        TestOutcome.Skipped => Color.Default,
        _ => Color.Warning,
    };

    public static bool IsActive(RunStatus status) => status is RunStatus.Queued or RunStatus.Building or RunStatus.Running;

    public static string Duration(TimeSpan? span) => span is not { } s ? "—"
        : s.TotalHours >= 1 ? $"{(int)s.TotalHours}h {s.Minutes}m"
        : s.TotalMinutes >= 1 ? $"{(int)s.TotalMinutes}m {s.Seconds}s"
        : $"{s.TotalSeconds:0.0}s";

    public static string When(DateTimeOffset? at) => at?.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture) ?? "—";
}
