using Apex.Coverage.Web.Runs;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Options;
using MudBlazor;

namespace Apex.Coverage.Web.Components.Runs;

/// <summary>Lists the schedules; a person adds one, changes a cron, switches one off or removes it. A bad cron is refused with the reason.</summary>
public sealed partial class SchedulesPage
{
    private IReadOnlyList<ScheduleView> _schedules = [];
    private readonly Dictionary<string, string> _crons = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, bool> _enabled = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, bool> _coverage = new(StringComparer.OrdinalIgnoreCase);
    private string? _confirming;

    [Inject] private ScheduleBook Schedules { get; set; } = null!;

    [Inject] private RunRequests Requests { get; set; } = null!;

    [Inject] private IOptions<RunsOptions> Options { get; set; } = null!;

    [Inject] private ISnackbar Snackbar { get; set; } = null!;

    protected override Task OnInitializedAsync() => LoadAsync();

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
            await Schedules.UpdateAsync(name, _crons[name], _enabled[name], _coverage[name], CancellationToken.None);
            Snackbar.Add($"Schedule {name} saved.", Severity.Success);
            await LoadAsync();
        }
        catch (ScheduleException error)
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
            await Schedules.RemoveAsync(name, CancellationToken.None);
            Snackbar.Add($"Schedule {name} removed.", Severity.Success);
            await LoadAsync();
        }
        catch (ScheduleException error)
        {
            Snackbar.Add(error.Message, Severity.Error);
        }
    }

    private static string Origin(ScheduleView schedule) =>
        schedule.Definition.Added ? " (added here)" : schedule.Edited ? " (edited)" : "";

    private Task TriggerAsync(string name)
    {
        Schedules.TriggerNow(name);
        Snackbar.Add($"Schedule {name} triggered; its run appears in the runs list.", Severity.Info);
        return Task.CompletedTask;
    }
}
