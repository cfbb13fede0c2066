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

    /// <summary>Shows the switch that makes the run collect code coverage.</summary>
    [Parameter] public bool ShowCoverageSwitch { get; set; } = true;

    private async Task StartAsync()
    {
        _starting = true;
        try
        {
            var id = await Requests.StartAsync(Suite, new RunSelection(PlanItems, Category, Priority, OnlyFailed), RunSource.Dashboard, _collectCoverage, null, CancellationToken.None);
            Navigation.NavigateTo($"runs/{id}");
        }
        catch (SelectionException error)
        {
            Snackbar.Add(error.Message, Severity.Warning);
        }
        finally
        {
            _starting = false;
        }
    }
}
