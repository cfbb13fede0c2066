using Apex.Coverage.Web.Analytics;
using Microsoft.AspNetCore.Components;

namespace Apex.Coverage.Web.Components.Analytics;

/// <summary>
/// A page that shows the coverage report and computes it again when results arrive, a quarantine
/// changes or a plan is imported (coalesced by <see cref="CoverageChanges"/>), calling back onto
/// its circuit through InvokeAsync.
/// </summary>
public abstract class CoverageComponent : ComponentBase, IDisposable
{
    private IDisposable? _subscription;

    [Inject]
    protected CoverageService Coverage { get; set; } = null!;

    [Inject]
    protected CoverageChanges Changes { get; set; } = null!;

    protected CoverageReport? Report { get; private set; }

    protected bool Loaded { get; private set; }

    protected override async Task OnInitializedAsync()
    {
        _subscription = Changes.Subscribe(() => _ = InvokeAsync(RefreshAsync));
        await LoadAsync();
    }

    protected override async Task OnParametersSetAsync()
    {
        if (Loaded)
        {
            await LoadAsync();
        }
    }

    /// <summary>Reads the report (and whatever else the page shows) again.</summary>
    protected virtual async Task LoadAsync()
    {
        Report = await Coverage.GetReportAsync();
        Loaded = true;
    }

    private async Task RefreshAsync()
    {
        await LoadAsync();
        StateHasChanged();
    }

    public void Dispose()
    {
        _subscription?.Dispose();
        GC.SuppressFinalize(this);
    }
}
