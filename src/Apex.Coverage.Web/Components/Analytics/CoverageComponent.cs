using Apex.Coverage.Web.Analytics;
using Microsoft.AspNetCore.Components;

namespace Apex.Coverage.Web.Components.Analytics;

/// <summary>
/// A page that shows the coverage report. It never computes it: <see cref="CoverageReportHub"/>
/// computes it once per change for the whole server and calls this page back, which reads it
/// (and whatever else it shows) again on its circuit.
/// </summary>
public abstract class CoverageComponent : LiveComponent
{
    [Inject]
    protected CoverageReportHub Hub { get; set; } = null!;

    [Inject]
    protected CoverageService Coverage { get; set; } = null!;

    protected CoverageReport? Report { get; private set; }

    protected bool Loaded { get; private set; }

    protected override async Task OnInitializedAsync()
    {
        Keep(Hub.Subscribe(() => RefreshOnCircuitAsync(LoadAsync)));
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
        Report = await Hub.GetAsync();
        Loaded = true;
    }
}
