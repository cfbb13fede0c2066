using Apex.Coverage.Web.Access;
using Apex.Coverage.Web.Audit;
using Apex.Coverage.Web.Runs;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Options;
using MudBlazor;

namespace Apex.Coverage.Web.Components.Runs;

/// <summary>
/// Lists the schedules; an admin adds one, changes a cron, switches one off or removes it (a bad
/// cron is refused with the reason), a runner triggers one now. Each is checked in its handler and audited.
/// </summary>
public sealed partial class SchedulesPage
{
    private IReadOnlyList<ScheduleView> _schedules = [];
    private readonly Dictionary<string, string> _crons = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, bool> _enabled = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, bool> _coverage = new(StringComparer.OrdinalIgnoreCase);
    private string? _confirming;
    private bool _isAdmin;
    private bool _canRun;

    [Inject] private DashboardAccess Access { get; set; } = null!;

    [Inject] private AuditTrail Audit { get; set; } = null!;

    [Inject] private ScheduleBook Schedules { get; set; } = null!;

    [Inject] private RunRequests Requests { get; set; } = null!;

    [Inject] private IOptions<RunsOptions> Options { get; set; } = null!;

    [Inject] private ISnackbar Snackbar { get; set; } = null!;

    protected override async Task OnInitializedAsync()
    {
        _isAdmin = await Access.IsAdminAsync();
        _canRun = await Access.CanRunAsync();
        await LoadAsync();
    }

    private async Task LoadAsync()
    {
        _schedules = await Schedules.ListAsync(CancellationToken.None);
        foreach (var schedule in _schedules)
        {
            _crons[schedule.Name] = schedule.Definition.Cron;
            _enabled[schedule.Name] = schedule.Definition.Enabled;
            _coverage[schedule.Name] = schedule.Definition.CollectCoverage;
        }
    }

    private async Task SaveAsync(string name)
    {
        try
        {
            var actor = await Access.DemandAdminAsync();
            await Schedules.UpdateAsync(name, _crons[name], _enabled[name], _coverage[name], CancellationToken.None);
            await Audit.RecordAsync(actor, AuditActions.ScheduleChanged, name, $"cron {_crons[name]}, enabled {_enabled[name]}, coverage {_coverage[name]}");
            Snackbar.Add($"Schedule {name} saved.", Severity.Success);
            await LoadAsync();
        }
        catch (Exception error) when (error is ScheduleException or AccessDeniedException)
        {
            Snackbar.Add(error.Message, Severity.Error);
        }
    }

    private async Task AddedAsync(string name)
    {
        Snackbar.Add($"Schedule {name} added.", Severity.Success);
        await LoadAsync();
    }

    private async Task RemoveAsync(string name)
    {
        _confirming = null;
        try
        {
            var actor = await Access.DemandAdminAsync();
            await Schedules.RemoveAsync(name, CancellationToken.None);
            await Audit.RecordAsync(actor, AuditActions.ScheduleChanged, name, "removed");
            Snackbar.Add($"Schedule {name} removed.", Severity.Success);
            await LoadAsync();
        }
        catch (Exception error) when (error is ScheduleException or AccessDeniedException)
        {
            Snackbar.Add(error.Message, Severity.Error);
        }
    }

    private static string Origin(ScheduleView schedule) =>
        schedule.Definition.Added ? " (added here)" : schedule.Edited ? " (edited)" : "";

    private async Task TriggerAsync(string name)
    {
        try
        {
            var actor = await Access.DemandRunnerAsync();
            Schedules.TriggerNow(name);
            await Audit.RecordAsync(actor, AuditActions.ScheduleTriggered, name);
            Snackbar.Add($"Schedule {name} triggered; its run appears in the runs list.", Severity.Info);
        }
        catch (AccessDeniedException denied)
        {
            Snackbar.Add(denied.Message, Severity.Error);
        }
    }
}
