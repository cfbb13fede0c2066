using Apex.Coverage.Web.Data;
using Apex.Coverage.Web.Runs;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;

namespace Apex.Coverage.Web.Components.Runs;

/// <summary>The runs, newest first, refreshed as any run changes state.</summary>
public sealed partial class RunsPage
{
    private const int PageSize = 50;
    private List<TestRun> _runs = [];
    private int _skip;
    private IDisposable? _subscription;

    [Inject] private IDbContextFactory<CoverageDbContext> Databases { get; set; } = null!;

    [Inject] private RunNotifier Notifier { get; set; } = null!;

    protected override async Task OnInitializedAsync()
    {
        await LoadAsync();
        _subscription = Notifier.Subscribe(null, update =>
        {
            if (update.Kind == RunUpdateKind.Status)
            {
                _ = InvokeAsync(async () =>
                {
                    await LoadAsync();
                    StateHasChanged();
                });
            }
        });
    }

    private async Task PageAsync(int by)
    {
        _skip = Math.Max(0, _skip + by);
        await LoadAsync();
    }

    private async Task LoadAsync()
    {
        await using var db = await Databases.CreateDbContextAsync();
        _runs = await db.TestRuns.AsNoTracking().OrderByDescending(r => r.Id).Skip(_skip).Take(PageSize).ToListAsync();
    }

    public void Dispose() => _subscription?.Dispose();
}
