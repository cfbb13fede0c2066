using System.Globalization;
using Apex.Coverage.Web.Mutation;

namespace Apex.Coverage.Web.Components.Mutation;

public static class MutationFormat
{
    public static string Score(double? score) => score is { } s ? $"{s.ToString("0.#", CultureInfo.InvariantCulture)}%" : "no valid mutant";

    public static string Counts(MutationCounts c) => $"{c.Killed} killed · {c.Survived} survived · {c.NoCoverage} no coverage · {c.Timeout} timeout";

    public static string When(DateTimeOffset? at) => TimeWords.Moment(at, "never");

    /// <summary>A mutation run's status in words; data-status and the API keep <see cref="MutationRunStatus"/>'s names.</summary>
    public static string StatusText(string status) => status switch
    {
        MutationRunStatus.Queued => "Waiting",
        MutationRunStatus.Running => "Running",
        MutationRunStatus.Completed => "Completed",
        MutationRunStatus.Failed => "Failed",
        MutationRunStatus.Canceled => "Canceled",
        MutationRunStatus.OverBudget => "Over its time budget",
        _ => status,
    };

    /// <summary>A mutant's status as the survivors table and the source page say it; the API keeps Stryker's names.</summary>
    public static string MutantStatusText(string status) => status switch
    {
        "Survived" => "Survived",
        "NoCoverage" => "No test ran it",
        "Timeout" => "Timed out",
        "Killed" => "Killed",
        _ => status,
    };

    public static string MutantsLeft(int count) => count == 1 ? "1 mutant the tests let live" : $"{count} mutants the tests let live";

    /// <summary>The source page at a mutant's line, with the run's mutants shown in the file.</summary>
    public static string SourceLink(string path, int line, long runId) =>
        $"source?path={Uri.EscapeDataString(path)}&line={line}&mutationRun={runId}#L{line}";

    public static string Money(decimal dollars) => Analytics.AnalyticsFormat.Money(dollars);

    public static string Verdict(MutationVerdict verdict, double threshold) => verdict switch
    {
        MutationVerdict.Verified => $"verified (≥ {threshold.ToString("0.#", CultureInfo.InvariantCulture)}%)",
        MutationVerdict.BelowThreshold => $"below {threshold.ToString("0.#", CultureInfo.InvariantCulture)}%",
        _ => "unverified (never mutated)",
    };
}
