using Apex.Coverage.Web.Results;
using Apex.Coverage.Web.Runs;
using Microsoft.AspNetCore.Components;

namespace Apex.Coverage.Web.Components.Runs;

/// <summary>The runs, newest first, refreshed as any run changes state.</summary>
public sealed partial class RunsPage
{
    private const int PageSize = 50;
    private List<TestRun> _runs = [];
    private int _skip;

    [Inject] private RunReader Runs { get; set; } = null!;

    [Inject] private RunNotifier Notifier { get; set; } = null!;

    protected override async Task OnInitializedAsync()
    {
        await LoadAsync();
        Keep(Notifier.Subscribe(null, update =>
        {
            if (update.Kind == RunUpdateKind.Status)
            {
                RefreshOnCircuit(LoadAsync);
            }
        }));
    }

    private async Task PageAsync(int by)
    {
        _skip = Math.Max(0, _skip + by);
        await LoadAsync();
    }

    private async Task LoadAsync()
    {
        _runs = await Runs.ListAsync(_skip, PageSize);
    }
}
