using Apex.Coverage.Web.Results;
using Apex.Coverage.Web.Runs;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace Apex.Coverage.Web.Components.Runs;

/// <summary>
/// One run, live: it subscribes before it loads (so nothing lands in between unseen), adds each
/// pushed result once, and reads the run again when its status changes.
/// </summary>
public sealed partial class RunPage
{
    private readonly HashSet<string> _keys = new(StringComparer.Ordinal);
    private List<TestResult> _results = [];
    private TestRun? _run;
    private bool _canceling;
    private bool _canRun;
    private IDisposable? _subscription;

    [Parameter] public long Id { get; set; }

    /// <summary>An earlier run to compare with (?compare=), as a link can carry it.</summary>
    [SupplyParameterFromQuery(Name = "compare")] public long? Compare { get; set; }

    [Inject] private RunReader Runs { get; set; } = null!;

    [Inject] private RunNotifier Notifier { get; set; } = null!;

    [Inject] private ActiveRuns Active { get; set; } = null!;

    [Inject] private RunRequests Requests { get; set; } = null!;

    [Inject] private Apex.Coverage.Web.Access.DashboardAccess Access { get; set; } = null!;

    [Inject] private Apex.Coverage.Web.Audit.AuditTrail Audit { get; set; } = null!;

    [Inject] private ISnackbar Snackbar { get; set; } = null!;

    [Inject] private TimeProvider Time { get; set; } = null!;

    private LiveProgress? Progress => Active.Find(Id)?.Progress;

    private RunSelection? Asked => StoredSelection.FromJson(_run?.SelectionJson)?.Asked;

    private int Passed => _results.Count(r => r.Outcome == TestOutcome.Passed);

    private int Failed => _results.Count(r => r.Outcome == TestOutcome.Failed);

    private int Skipped => _results.Count(r => r.Outcome == TestOutcome.Skipped);

    private int? Expected => Progress?.Expected;

    /// <summary>Asked to stop here or, after a reload, by anyone on this node: the run ends once the test host is gone.</summary>
    private bool Canceling => _canceling || Active.Find(Id)?.Reason == StopReason.Canceled;

    private bool AllIn => Expected is int e and > 0 && _results.Count >= e;

    private double Percent => Expected is int e and > 0 ? Math.Min(100, 100.0 * _results.Count / e) : 0;

    private TimeSpan? Elapsed => _run?.StartedAt is { } started ? (_run.FinishedAt ?? Time.GetUtcNow()) - started : null;

    // CI posts a finished file: its run has no wall time here, only the time its tests took.
    private string TimeText => _run?.Source == RunSource.Ci
        ? $"{TimeWords.Duration(_results.Sum(r => r.DurationSeconds))} of test time"
        : TimeWords.Duration(Elapsed);

    private string? BuildLog => _run?.Status == RunStatus.Building ? Progress?.BuildLog : _run?.BuildLog;

    protected override async Task OnParametersSetAsync()
    {
        _subscription?.Dispose();
        _subscription = Notifier.Subscribe(Id, update => RefreshOnCircuit(() => ApplyAsync(update)));
        Keep(_subscription);
        _keys.Clear();
        _results = [];
        await LoadRunAsync();
        foreach (var result in await Runs.ResultsAsync(Id))
        {
            Add(result);
        }
    }

    private async Task ApplyAsync(RunUpdate update)
    {
        if (update is { Kind: RunUpdateKind.Result, Result: { } result })
        {
            Add(result);
        }
        else if (update.Kind == RunUpdateKind.Result)
        {
            // Recorded on another node: the update says only that there are new results.
            foreach (var stored in await Runs.ResultsAsync(Id))
            {
                Add(stored);
            }
        }
        else if (update.Kind == RunUpdateKind.Status)
        {
            await LoadRunAsync();
        }
    }

    private void Add(TestResult result)
    {
        if (_keys.Add(result.ResultKey))
        {
            _results.Insert(0, result);
        }
    }

    private async Task LoadRunAsync()
    {
        _canRun = await Access.CanRunAsync();
        _run = await Runs.FindAsync(Id);
    }

    private async Task CancelAsync()
    {
        Apex.Coverage.Web.Audit.AuditActor actor;
        try
        {
            // Hidden from viewers; checked again because a circuit's events can be sent by hand.
            actor = await Access.DemandRunnerAsync();
        }
        catch (Apex.Coverage.Web.Access.AccessDeniedException denied)
        {
            Snackbar.Add(denied.Message, Severity.Warning);
            return;
        }

        _canceling = true;
        StateHasChanged();
        var outcome = await Requests.CancelAsync(Id, CancellationToken.None);
        if (outcome is CancelOutcome.Canceled or CancelOutcome.Stopping)
        {
            await Audit.RecordAsync(actor, Apex.Coverage.Web.Audit.AuditActions.RunCanceled, $"run {Id}");
        }

        if (outcome is CancelOutcome.RunningElsewhere or CancelOutcome.AlreadyFinished)
        {
            _canceling = outcome == CancelOutcome.AlreadyFinished;
            Snackbar.Add(outcome == CancelOutcome.RunningElsewhere ? "This run executes on another node." : "The run has already ended.", Severity.Info);
        }
    }
}
