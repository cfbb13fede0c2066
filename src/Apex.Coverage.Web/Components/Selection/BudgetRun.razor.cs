using System.Globalization;
using Apex.Coverage.Web.Access;
using Apex.Coverage.Web.Audit;
using Apex.Coverage.Web.Components.Analytics;
using Apex.Coverage.Web.Results;
using Apex.Coverage.Web.Runs;
using Apex.Coverage.Web.Selection;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace Apex.Coverage.Web.Components.Selection;

/// <summary>
/// Picks the tests that protect the most MRR in the budget (the same <see cref="SelectionService"/>
/// the API asks), shows what that covers and leaves out, and starts that run.
/// </summary>
public sealed partial class BudgetRun
{
    private double _minutes = 5;
    private string _budgetText = "00:05:00";
    private BudgetSelection? _selection;
    private string? _problem;
    private bool _starting;

    [Inject] private SelectionService Selections { get; set; } = null!;

    [Inject] private RunRequests Requests { get; set; } = null!;

    [Inject] private NavigationManager Navigation { get; set; } = null!;

    [Inject] private ISnackbar Snackbar { get; set; } = null!;

    [Inject] private DashboardAccess Access { get; set; } = null!;

    [Inject] private AuditTrail Audit { get; set; } = null!;

    private bool _allowed;

    [Parameter] public string? Suite { get; set; }

    protected override async Task OnInitializedAsync()
    {
        _allowed = await Access.CanRunAsync();
        await PreviewAsync();
    }

    private async Task OnMinutesChangedAsync(double minutes)
    {
        _minutes = minutes;
        await PreviewAsync();
    }

    private TimeSpan Budget => TimeSpan.FromMinutes(Math.Max(0.01, _minutes));

    private async Task PreviewAsync()
    {
        _budgetText = Budget.ToString("c", CultureInfo.InvariantCulture);
        try
        {
            _selection = await Selections.SelectAsync(Suite, Budget, null, CancellationToken.None);
            _problem = null;
        }
        catch (SelectionException error)
        {
            (_selection, _problem) = (null, error.Message);
        }
    }

    private async Task StartAsync()
    {
        _starting = true;
        try
        {
            // Disabled for viewers, but a circuit's events can be sent by hand.
            var actor = await Access.DemandRunnerAsync();
            var id = await Requests.StartAsync(Suite, new RunSelection(Budget: Budget), RunSource.Dashboard, false, null, CancellationToken.None);
            await Audit.RecordAsync(actor, AuditActions.RunStarted, $"run {id}", $"budget {_budgetText}");
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

    private static string LeftOutText(BudgetSelection selection) =>
        string.Join(", ", selection.ItemsLeftOut.Take(12).Select(i => $"#{i.Number} {AnalyticsFormat.Money(i.Mrr)}"))
        + (selection.ItemsLeftOut.Count > 12 ? " …" : "");
}
