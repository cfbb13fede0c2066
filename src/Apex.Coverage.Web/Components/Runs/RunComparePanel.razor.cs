using Apex.Coverage.Web.Results;
using Apex.Coverage.Web.Runs;
using Microsoft.AspNetCore.Components;

namespace Apex.Coverage.Web.Components.Runs;

/// <summary>
/// Compares the run with an earlier run of its suite (chosen from the latest 30, or given as
/// ?compare= in the address): new failures, fixed, still failing, new and missing tests, and the
/// largest duration changes (<see cref="RunComparison"/>).
/// </summary>
public sealed partial class RunComparePanel
{
    private const int Candidates = 30;

    private const int MaxRows = 200;

    private static readonly Dictionary<string, object> SelectAttributes = new() { ["data-testid"] = "run-compare-select" };

    private List<TestRun> _candidates = [];
    private long? _otherId;
    private TestRun? _other;
    private List<TestResult> _otherResults = [];
    private RunComparison? _comparison;
    private long _loadedFor;

    [Parameter, EditorRequired] public TestRun Run { get; set; } = null!;

    [Parameter, EditorRequired] public IReadOnlyList<TestResult> Results { get; set; } = [];

    /// <summary>The run to compare with when the page opens.</summary>
    [Parameter] public long? CompareWith { get; set; }

    [Inject] private RunReader Runs { get; set; } = null!;

    protected override async Task OnParametersSetAsync()
    {
        if (_loadedFor != Run.Id)
        {
            _loadedFor = Run.Id;
            _candidates = await Runs.ComparableAsync(Run.SuiteName, Run.Id, Candidates);
            await ChooseAsync(CompareWith);
        }

        _comparison = _other is null ? null : RunComparison.Of(_otherResults, Results);
    }

    private async Task ChooseAsync(long? id)
    {
        _otherId = id;
        _other = id is { } chosen ? await Runs.FindAsync(chosen) : null;
        _otherResults = _other is null ? [] : await Runs.ResultsAsync(_other.Id);
        _comparison = _other is null ? null : RunComparison.Of(_otherResults, Results);
    }

    private static string Describe(TestRun run) =>
        $"Run {run.Id} · {TimeWords.Moment(run.CreatedAt)} · {RunFormat.StatusText(run.Status)} · {run.Failed} failed of {run.Total}";

    private static string Plural(int count, string word) => count == 1 ? word : word + "s";

    private static string Cell(TestOutcome? outcome, double? seconds) =>
        outcome is { } o ? $"{RunFormat.OutcomeText(o)} · {TimeWords.Duration(seconds)}" : "not run";

    private static IEnumerable<(string Change, ComparedTest Test)> Rows(RunComparison c) =>
        c.NewFailures.Select(t => ("new failure", t))
            .Concat(c.Fixed.Select(t => ("fixed", t)))
            .Concat(c.StillFailing.Select(t => ("still failing", t)))
            .Concat(c.NewTests.Where(t => !c.NewFailures.Contains(t)).Select(t => ("new test", t)))
            .Concat(c.Gone.Select(t => ("not in this run", t)))
            .Concat(c.DurationChanges.Select(t => (t.DeltaSeconds > 0 ? "slower" : "faster", t)));
}
