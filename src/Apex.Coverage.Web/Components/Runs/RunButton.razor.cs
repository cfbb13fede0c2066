using Apex.Coverage.Web.Access;
using Apex.Coverage.Web.Audit;
using Apex.Coverage.Web.Results;
using Apex.Coverage.Web.Runs;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace Apex.Coverage.Web.Components.Runs;

/// <summary>Starts a run of the given selection and opens its live page; a selection that cannot run is shown, not thrown.</summary>
public sealed partial class RunButton
{
    private bool _starting;
    private bool _collectCoverage;
    private bool _allowed;

    [Inject] private DashboardAccess Access { get; set; } = null!;

    [Inject] private AuditTrail Audit { get; set; } = null!;

    [Inject] private RunRequests Requests { get; set; } = null!;

    [Inject] private NavigationManager Navigation { get; set; } = null!;

    [Inject] private ISnackbar Snackbar { get; set; } = null!;

    [Parameter] public string Label { get; set; } = "Run";

    [Parameter] public string? Suite { get; set; }

    [Parameter] public IReadOnlyList<int>? PlanItems { get; set; }

    [Parameter] public string? Category { get; set; }

    [Parameter] public string? Priority { get; set; }

    [Parameter] public bool OnlyFailed { get; set; }

    [Parameter] public bool Disabled { get; set; }

    [Parameter] public Size Size { get; set; } = Size.Medium;

    /// <summary>The run this button runs again, for the audit trail ("re-ran run N").</summary>
    [Parameter] public long? RerunOf { get; set; }

    /// <summary>Shows the switch that makes the run collect code coverage.</summary>
    [Parameter] public bool ShowCoverageSwitch { get; set; } = true;

    protected override async Task OnInitializedAsync() => _allowed = await Access.CanRunAsync();

    private async Task StartAsync()
    {
        _starting = true;
        try
        {
            // The button is hidden from viewers, but a circuit's events can be sent by hand.
            var actor = await Access.DemandRunnerAsync();
            var id = await Requests.StartAsync(Suite, new RunSelection(PlanItems, Category, Priority, OnlyFailed), RunSource.Dashboard, _collectCoverage, null, CancellationToken.None);
            await Audit.RecordAsync(actor, RerunOf is null ? AuditActions.RunStarted : AuditActions.RunRerun, $"run {id}",
                RerunOf is { } of ? $"again as run {of} was" : null);
            Navigation.NavigateTo($"runs/{id}");
        }
        catch (Exception error) when (error is SelectionException or AccessDeniedException)
        {
            Snackbar.Add(error.Message, Severity.Warning);
        }
        finally
        {
            _starting = false;
        }
    }
}
