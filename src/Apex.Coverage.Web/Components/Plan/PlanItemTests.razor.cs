using Apex.Coverage.Web.Analytics;
using Apex.Coverage.Web.Components.Runs;
using Apex.Coverage.Web.Results;
using Apex.Coverage.Web.Runs;
using Microsoft.AspNetCore.Components;

namespace Apex.Coverage.Web.Components.Plan;

/// <summary>
/// The item's tests and status from the coverage report (rendered again after each change a run
/// records), and whether a run of this item is queued or running - read again whenever a run's
/// status changes - which keeps the Run button disabled until it ends.
/// </summary>
public sealed partial class PlanItemTests
{
    [Inject] private RunReader Runs { get; set; } = null!;

    [Inject] private RunNotifier RunUpdates { get; set; } = null!;

    [Parameter, EditorRequired] public int Number { get; set; }

    private ItemCoverage? Item => Report?.Item(Number);

    /// <summary>The newest unfinished run that was asked for this item, if any.</summary>
    private TestRun? ActiveRun { get; set; }

    protected override async Task OnInitializedAsync()
    {
        Keep(RunUpdates.Subscribe(null, update =>
        {
            if (update.Kind is RunUpdateKind.Status or RunUpdateKind.Ended)
            {
                RefreshOnCircuit(LoadActiveRunAsync);
            }
        }));
        await base.OnInitializedAsync();
    }

    protected override async Task LoadAsync()
    {
        await base.LoadAsync();
        await LoadActiveRunAsync();
    }

    private async Task LoadActiveRunAsync()
    {
        var unfinished = await Runs.UnfinishedAsync();
        ActiveRun = unfinished.FirstOrDefault(run =>
            StoredSelection.FromJson(run.SelectionJson)?.Asked.PlanItems?.Contains(Number) == true);
    }

    private static string LatestOutcome(TestVerdict verdict) =>
        verdict.LatestOutcome is { } outcome ? RunFormat.OutcomeText(outcome) : "Not run yet";

    private static string StatusSentence(ItemCoverage item)
    {
        var tests = item.Tests.Count;
        var failing = item.Tests.Count(t => t.Verdict.Status == TestStatus.Failing);
        var notRun = item.Tests.Count(t => t.Verdict.Status == TestStatus.NotRun);
        var count = tests == 1 ? "1 test carries" : $"{tests} tests carry";
        return $"{count} this item's number; {failing} failing, {notRun} not run (skipped, or never run). " +
            "The item passes only when every counted test's latest result passed.";
    }
}
