using Apex.Coverage.Web.Results;
using Apex.Coverage.Web.Runs;
using MudBlazor;

namespace Apex.Coverage.Web.Components.Runs;

/// <summary>How run statuses and outcomes look on the pages (times and durations: <see cref="TimeWords"/>).</summary>
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

    /// <summary>A run asked to stop keeps its status until the test host is gone; the page says so meanwhile.</summary>
    public static string StatusText(RunStatus status, bool canceling) => canceling && IsActive(status) ? "Canceling" : StatusText(status);

    /// <summary>The words a page shows for a run's status; the API and data-status keep <see cref="RunJson.Lower{T}"/>.</summary>
    public static string StatusText(RunStatus status) => status switch
    {
        RunStatus.Queued => "Waiting",
        RunStatus.Building => "Building",
        RunStatus.Running => "Running",
        RunStatus.Passed => "Passed",
        RunStatus.Failed => "Failed",
        RunStatus.Canceled => "Canceled",
        RunStatus.Aborted => "Aborted",
        _ => "Interrupted",
    };

    /// <summary>Where a run came from, in a word or two.</summary>
    public static string SourceText(RunSource source) => source switch
    {
        RunSource.Dashboard => "Dashboard",
        RunSource.Schedule => "Schedule",
        RunSource.Api => "API",
        _ => "CI upload",
    };

    /// <summary>The status as the API names it, plus "canceling" for a run asked to stop: what tests and scripts read (data-status).</summary>
    public static string StatusName(RunStatus status, bool canceling) => canceling && IsActive(status) ? "canceling" : RunJson.Lower(status);

    public static Color StatusColor(RunStatus status, bool canceling) => canceling && IsActive(status) ? Color.Warning : StatusColor(status);

    public static string OutcomeText(TestOutcome outcome) => outcome switch
    {
        TestOutcome.Passed => "Passed",
        TestOutcome.Failed => "Failed",
        TestOutcome.Skipped => "Skipped",
        _ => "Not found",
    };

    /// <summary>The namespace of a test (all but its class and method), shown small under its name.</summary>
    public static string Namespace(string fullyQualifiedName)
    {
        var parts = fullyQualifiedName.Split('(')[0].Split('.');
        return parts.Length > 2 ? string.Join('.', parts[..^2]) : "";
    }

    /// <summary>A test's name without its namespace: "Class.Method" or a theory row's "Class.Method(x: 1)".</summary>
    public static string Title(string displayName, string fullyQualifiedName)
    {
        var space = Namespace(fullyQualifiedName);
        return space.Length > 0 && displayName.StartsWith(space + ".", StringComparison.Ordinal) ? displayName[(space.Length + 1)..] : displayName;
    }

    /// <summary>A commit as people quote it: its first ten characters.</summary>
    public static string ShortCommit(string commit) => commit.Length > 10 ? commit[..10] : commit;

    /// <summary>Only http(s) addresses become links; anything else CI sent is shown as text.</summary>
    public static bool IsLink(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);

    public static bool IsActive(RunStatus status) => status is RunStatus.Queued or RunStatus.Building or RunStatus.Running;
}
